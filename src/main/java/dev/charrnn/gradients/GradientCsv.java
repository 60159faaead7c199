package dev.charrnn.gradients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.charrnn.train.GradientStats;
import dev.charrnn.train.ParamStats;
import dev.charrnn.train.SaturationStats;
import dev.charrnn.train.SpectralStats;

/**
 * Gradient statistics as CSV: one row per iteration, layer and parameter block (an RW block's row
 * carries its lambda1), then one row per gate, whose param is {@code act:<gate>}, with its
 * saturation. Columns that do not apply to a row are empty.
 */
final class GradientCsv {

    private static final String HEADER = "iteration,globalNorm,globalNormClipped,clipped,layer,param,norm,"
            + "normClipped,meanAbs,maxAbs,nonFinite,updateRatioLog10,lambda1,gamma,regime,saturationLeft,"
            + "saturationRight,saturated,meanActivation\n";

    private GradientCsv() {
    }

    static String of(List<GradientStats> points) {
        StringBuilder out = new StringBuilder(HEADER);
        for (GradientStats p : points) {
            for (ParamStats s : p.params()) {
                SpectralStats spectral = p.spectrum().stream()
                        .filter(x -> x.layer() == s.layer() && x.param().equals(s.param())).findFirst().orElse(null);
                List<Object> row = new ArrayList<>(List.of(p.iteration(), p.globalNorm(), p.globalNormClipped(),
                        p.clipped(), s.layer(), s.param(), s.norm(), s.normClipped(), s.meanAbs(), s.maxAbs(),
                        s.nonFinite(), s.updateRatioLog10() == null ? "" : s.updateRatioLog10()));
                row.addAll(spectral == null ? List.of("", "", "")
                        : List.of(spectral.lambda1(), spectral.gamma(), spectral.regime()));
                row.addAll(List.of("", "", "", ""));
                line(out, row);
            }
            for (SaturationStats s : p.saturation()) {
                List<Object> row = new ArrayList<>(List.of(p.iteration(), p.globalNorm(), p.globalNormClipped(),
                        p.clipped(), s.layer(), "act:" + s.gate()));
                row.addAll(Arrays.asList("", "", "", "", "", "", "", "", ""));
                row.addAll(List.of(s.left(), s.right(), s.saturated(), s.mean()));
                line(out, row);
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<Object> row) {
        out.append(row.stream().map(v -> String.format(Locale.ROOT, "%s", v)).collect(Collectors.joining(",")))
                .append('\n');
    }
}
