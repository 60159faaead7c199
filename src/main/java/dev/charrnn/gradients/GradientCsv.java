package dev.charrnn.gradients;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.charrnn.train.GradientStats;
import dev.charrnn.train.ParamStats;

/** Gradient statistics as CSV: one row per iteration, layer and parameter. */
final class GradientCsv {

    private static final String HEADER = "iteration,globalNorm,globalNormClipped,clipped,layer,param,norm,"
            + "normClipped,meanAbs,maxAbs,nonFinite,updateRatioLog10\n";

    private GradientCsv() {
    }

    static String of(List<GradientStats> points) {
        StringBuilder out = new StringBuilder(HEADER);
        for (GradientStats p : points) {
            for (ParamStats s : p.params()) {
                out.append(List.of(p.iteration(), p.globalNorm(), p.globalNormClipped(), p.clipped(), s.layer(),
                        s.param(), s.norm(), s.normClipped(), s.meanAbs(), s.maxAbs(), s.nonFinite(),
                        s.updateRatioLog10() == null ? "" : s.updateRatioLog10()).stream()
                        .map(v -> String.format(Locale.ROOT, "%s", v)).collect(Collectors.joining(","))).append('\n');
            }
        }
        return out.toString();
    }
}
