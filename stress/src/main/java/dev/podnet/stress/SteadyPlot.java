package dev.podnet.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A self-contained HTML page (inline SVG, no scripts) plotting a steady-churn series. */
final class SteadyPlot {
    private static final int W = 900;
    private static final int H = 260;
    private static final int PAD = 50;

    private SteadyPlot() {}

    /** @param csv header line, then one line per second (see {@link SteadyChurn}) */
    static String html(String title, List<String> csv) {
        List<double[]> rows = new ArrayList<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            double[] v = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                v[i] = Double.parseDouble(f[i]);
            }
            rows.add(v);
        }
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(esc(title))
                .append("</title>")
                .append("<style>body{font-family:sans-serif;margin:20px}svg{background:#fafafa;border:1px solid #ddd}"
                        + ".l{font-size:12px}</style></head><body><h2>")
                .append(esc(title))
                .append("</h2>");
        b.append("<h3>latency per second of completion (ms)</h3>");
        b.append(chart(
                rows,
                new int[] {3, 4, 6, 7},
                new String[] {"add p50", "add p99", "remove p50", "remove p99"},
                new String[] {"#1f77b4", "#0b3c5d", "#ff7f0e", "#b34700"}));
        b.append("<h3>operations completed per second, and live pods</h3>");
        b.append(chart(rows, new int[] {1, 2, 9}, new String[] {"adds", "removes", "live"}, new String[] {
            "#2ca02c", "#d62728", "#7f7f7f"
        }));
        b.append("<h3>memory (MB): resident, heap in use, direct, the state's off-heap maps</h3>");
        List<double[]> memory = rows.stream()
                .filter(r -> r.length > 15)
                .map(r -> new double[] {r[12], r[13], r[14], r[15] / 1000})
                .toList();
        b.append(chart(memory, new int[] {0, 1, 2, 3}, new String[] {"rss", "heap", "direct", "state"}, new String[] {
            "#9467bd", "#8c564b", "#e377c2", "#17becf"
        }));
        long warm = rows.stream().filter(r -> r.length > 11 && r[11] == 0).count();
        b.append("<p class=\"l\">")
                .append(rows.size())
                .append(" samples, the first ")
                .append(warm)
                .append(
                        " of them the warm-up (not in the overall figures); data: the CSV of the same name.</p></body></html>\n");
        return b.toString();
    }

    private static String chart(List<double[]> rows, int[] cols, String[] names, String[] colours) {
        double maxY = 1;
        for (double[] r : rows) {
            for (int c : cols) {
                maxY = Math.max(maxY, r[c]);
            }
        }
        double maxX = Math.max(1, rows.size());
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H + 40));
        // axes and grid
        s.append(String.format(
                Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", PAD, H, W - 10, H));
        s.append(String.format(
                Locale.ROOT, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", PAD, PAD, H));
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            int y = (int) (H - (H - 10) * (v / maxY));
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e5e5e5\"/>",
                    PAD,
                    y,
                    W - 10,
                    y));
            s.append(String.format(Locale.ROOT, "<text class=\"l\" x=\"4\" y=\"%d\">%.1f</text>", y + 4, v));
        }
        s.append(String.format(
                Locale.ROOT, "<text class=\"l\" x=\"%d\" y=\"%d\">seconds (0 .. %d)</text>", W / 2, H + 16, (int)
                        maxX));
        for (int k = 0; k < cols.length; k++) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < rows.size(); i++) {
                double x = PAD + (W - PAD - 10) * ((i + 1) / maxX);
                double y = H - (H - 10) * (rows.get(i)[cols[k]] / maxY);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            s.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
                    .append(colours[k])
                    .append("\" points=\"")
                    .append(pts)
                    .append("\"/>");
            s.append(String.format(
                    Locale.ROOT,
                    "<text class=\"l\" fill=\"%s\" x=\"%d\" y=\"%d\">%s</text>",
                    colours[k],
                    PAD + 10 + k * 130,
                    H + 34,
                    names[k]));
        }
        return s.append("</svg>").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
