package dev.automutex.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one table that {@link BenchmarkSuite} prints: a row per figure, with ours, the
 * peer's, the ratio (above 1 means ours is better: the peer's time over ours, or our
 * throughput over the peer's), the target and whether it was met.
 */
final class SuiteTable {

	private final List<Row> rows = new ArrayList<>();

	/**
	 * Add a row whose target is a lower bound on the ratio.
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param peer the peer's figure, with its name
	 * @param ratio ours against the peer, above 1 better
	 * @param atLeast the least ratio the target asks for
	 */
	void ratioAtLeast(String target, String what, String ours, String peer, double ratio, double atLeast) {
		add(target, what, ours, peer, ratio, ">= " + number(atLeast) + "x", ratio >= atLeast);
	}

	/**
	 * Add a row whose target is an upper bound on our figure.
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param value our figure as a number
	 * @param peer the peer's figure, with its name
	 * @param ratio ours against the peer, above 1 better, or {@code NaN}
	 * @param atMost the most the target allows
	 * @param unit the unit of {@code atMost}
	 */
	void atMost(String target, String what, String ours, double value, String peer, double ratio, double atMost,
			String unit) {
		add(target, what, ours, peer, ratio, "<= " + number(atMost) + unit, value <= atMost);
	}

	/**
	 * Add a row whose target is a peer's figure: met when the ratio is at least 1.
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param peer the peer's figure, with its name
	 * @param ratio ours against the peer, above 1 better
	 * @param goal the target in words
	 */
	void notWorseThan(String target, String what, String ours, String peer, double ratio, String goal) {
		add(target, what, ours, peer, ratio, goal, ratio >= 1.0);
	}

	/**
	 * Add a row that reports, with no target to meet.
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param peer the peer's figure, with its name
	 * @param ratio ours against the peer, above 1 better, or {@code NaN}
	 */
	void report(String target, String what, String ours, String peer, double ratio) {
		this.rows.add(new Row(target, what, ours, peer, ratioText(ratio), "-", "-"));
	}

	/**
	 * Add a row whose verdict was decided by the caller.
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param peer the peer's figure, with its name
	 * @param ratio ours against the peer, above 1 better, or {@code NaN}
	 * @param goal the target in words
	 * @param met whether it was met
	 */
	void add(String target, String what, String ours, String peer, double ratio, String goal, boolean met) {
		this.rows.add(new Row(target, what, ours, peer, ratioText(ratio), goal, met ? "met" : "missed"));
	}

	void print(PrintStream out) {
		out.println("| # | measured | AutoMutex | peer | ratio | target | |");
		out.println("| --- | --- | ---: | ---: | ---: | --- | --- |");
		for (Row row : this.rows) {
			out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", row.target(), row.what(), row.ours(), row.peer(),
					row.ratio(), row.goal(), row.verdict());
		}
		long met = this.rows.stream().filter((row) -> row.verdict().equals("met")).count();
		long missed = this.rows.stream().filter((row) -> row.verdict().equals("missed")).count();
		out.printf("%nTargets: %d met, %d missed (ratio above 1: AutoMutex better than the peer)%n", met, missed);
	}

	static String number(double value) {
		if (Double.isNaN(value)) {
			return "-";
		}
		if (Math.abs(value) >= 100 || value == Math.rint(value)) {
			return String.format(Locale.ROOT, "%,.0f", value);
		}
		return String.format(Locale.ROOT, (Math.abs(value) >= 10) ? "%.1f" : "%.2f", value);
	}

	private static String ratioText(double ratio) {
		return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
	}

	/**
	 * One printed row.
	 *
	 * @param target the target number
	 * @param what what was measured
	 * @param ours our figure
	 * @param peer the peer's figure
	 * @param ratio the ratio as printed
	 * @param goal the target in words
	 * @param verdict met, missed, or - when there is nothing to meet
	 */
	record Row(String target, String what, String ours, String peer, String ratio, String goal, String verdict) {

	}

}
