package dev.charrnn.sample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.CellActivations;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.text.OneHot;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What the units of one recurrent layer of a trained network do over a text: each unit's hidden
 * value h (and an LSTM's memory cell c) after every character, and which units follow simple
 * features of the text ({@link TextFeatures}), ranked by |Pearson correlation|. It reads the
 * network the way {@link Scorer} does, through a private session of the training layers, with the
 * chosen layer recording its cells.
 */
public final class UnitActivations {

    /** Steps fed per call, so memory stays bounded for long texts (the state carries across). */
    private static final int CHUNK = 512;

    private UnitActivations() {
    }

    /** Per character t and unit j: {@code hidden[t][j]}, and {@code cell[t][j]} for an LSTM (else null). */
    public record Recording(int layer, float[][] hidden, float[][] cell) {

        public int units() {
            return hidden.length == 0 ? 0 : hidden[0].length;
        }
    }

    @Schema(description = "A unit and how its activation follows a feature")
    public record Correlation(
            @Schema(description = "Unit index in the layer", example = "17") int unit,
            @Schema(description = "Pearson correlation of the unit's activation with the feature over the text",
                    example = "0.91") double r) {
    }

    @Schema(description = "The units that follow one feature of the text best")
    public record FeatureRanking(
            @Schema(description = "insideQuotes, bracketDepth, sinceNewline, whitespace or wordStart",
                    example = "insideQuotes") String feature,
            @Schema(description = "What the feature is", example = "1 inside double quotes, else 0")
            String description,
            @Schema(description = "Units by |r| of their hidden value h, strongest first; empty when the feature "
                    + "does not vary over the text") List<Correlation> hidden,
            @Schema(description = "LSTM only: units by |r| of their memory cell c, strongest first")
            List<Correlation> cell) {
    }

    /** Runs the text through {@code session} (private: its state is cleared) and records layer {@code layer}. */
    public static Recording record(MultiLayerNetwork session, int[] symbols, int vocabularySize, int layer) {
        Layer target = session.getLayer(layer);
        if (!(target instanceof FusedRecurrentLayer<?> recurrent)) {
            throw new IllegalArgumentException("layer " + layer + " is not a recurrent layer");
        }
        float[][] hidden = new float[symbols.length][];
        float[][] cell = null;
        session.rnnClearPreviousState();
        recurrent.recordActivations(true);
        try {
            for (int offset = 0; offset < symbols.length; offset += CHUNK) {
                int length = Math.min(CHUNK, symbols.length - offset);
                session.rnnTimeStep(OneHot.windows(symbols, new int[] {offset}, length, vocabularySize));
                CellActivations pass = recurrent.recordedActivations();
                copyRows(pass.hidden(), hidden, offset);
                if (pass.cell() != null) {
                    cell = cell == null ? new float[symbols.length][] : cell;
                    copyRows(pass.cell(), cell, offset);
                }
            }
        } finally {
            recurrent.recordActivations(false);
            session.rnnClearPreviousState();
        }
        return new Recording(layer, hidden, cell);
    }

    /** For every feature of the text, the {@code top} units of the recording that follow it best. */
    public static List<FeatureRanking> rank(Recording recording, int[] codePoints, int top) {
        List<FeatureRanking> rankings = new ArrayList<>();
        for (Map.Entry<String, double[]> feature : TextFeatures.of(codePoints).entrySet()) {
            rankings.add(new FeatureRanking(feature.getKey(), TextFeatures.describe(feature.getKey()),
                    rank(recording.hidden(), feature.getValue(), top),
                    recording.cell() == null ? null : rank(recording.cell(), feature.getValue(), top)));
        }
        return rankings;
    }

    /** Units of {@code values} [T][n] by |r| with {@code feature} [T], strongest first, at most {@code top}. */
    static List<Correlation> rank(float[][] values, double[] feature, int top) {
        int units = values.length == 0 ? 0 : values[0].length;
        List<Correlation> all = new ArrayList<>();
        double[] unit = new double[values.length];
        for (int j = 0; j < units; j++) {
            for (int t = 0; t < values.length; t++) {
                unit[t] = values[t][j];
            }
            Double r = pearson(unit, feature);
            if (r != null) {
                all.add(new Correlation(j, r));
            }
        }
        all.sort(Comparator.comparingDouble((Correlation c) -> -Math.abs(c.r())).thenComparingInt(Correlation::unit));
        return List.copyOf(all.subList(0, Math.min(top, all.size())));
    }

    /** Pearson's r, or null when either series is constant. */
    static Double pearson(double[] x, double[] y) {
        int n = x.length;
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= n;
        meanY /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx <= 1e-24 || syy <= 1e-24) {
            return null;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }

    private static void copyRows(INDArray rows, float[][] into, int offset) {
        float[][] values = rows.castTo(DataType.FLOAT).toFloatMatrix();
        System.arraycopy(values, 0, into, offset, values.length);
    }
}
