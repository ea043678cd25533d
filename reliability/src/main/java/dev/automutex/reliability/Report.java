package dev.automutex.reliability;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The suite's one table: a row per claim with what was measured and whether the claim
 * held. Thread-safe.
 *
 * @since 0.1.0
 */
final class Report {

	private final List<Row> rows = new ArrayList<>();

	/**
	 * Record one claim.
	 * @param scenario the scenario it belongs to
	 * @param claim what was claimed, in a few words
	 * @param held whether it held
	 * @param measured the figures behind the verdict
	 */
	synchronized void check(Scenario scenario, String claim, boolean held, String measured) {
		this.rows.add(new Row(scenario.number() + ". " + scenario.title(), claim, held, measured));
		System.out.printf("   %s  %s: %s%n", held ? "held  " : "FAILED", claim, measured);
	}

	/**
	 * Record a figure that is reported, not judged.
	 * @param scenario the scenario it belongs to
	 * @param what what was measured
	 * @param measured the figures
	 */
	synchronized void measure(Scenario scenario, String what, String measured) {
		this.rows.add(new Row(scenario.number() + ". " + scenario.title(), what, null, measured));
		System.out.printf("   %s  %s: %s%n", "      ", what, measured);
	}

	synchronized boolean allHeld() {
		return this.rows.stream().noneMatch((row) -> Boolean.FALSE.equals(row.held()));
	}

	synchronized long failures() {
		return this.rows.stream().filter((row) -> Boolean.FALSE.equals(row.held())).count();
	}

	synchronized void print(PrintStream out) {
		int scenarioWidth = width(0);
		int claimWidth = width(1);
		out.println();
		out.println(pad("scenario", scenarioWidth) + " | " + pad("claim", claimWidth) + " | result | measured");
		out.println("-".repeat(scenarioWidth) + "-|-" + "-".repeat(claimWidth) + "-|--------|---------");
		String last = "";
		for (Row row : this.rows) {
			String scenario = row.scenario().equals(last) ? "" : row.scenario();
			last = row.scenario();
			String result = (row.held() == null) ? "  -   " : (row.held() ? " held " : "FAILED");
			out.println(pad(scenario, scenarioWidth) + " | " + pad(row.claim(), claimWidth) + " | " + result + " | "
					+ row.measured());
		}
		out.println();
		out.println(allHeld() ? "Every claim held." : failures() + " claim(s) FAILED.");
	}

	private int width(int column) {
		int width = (column == 0) ? "scenario".length() : "claim".length();
		for (Row row : this.rows) {
			width = Math.max(width, ((column == 0) ? row.scenario() : row.claim()).length());
		}
		return width;
	}

	private static String pad(String text, int width) {
		return text + " ".repeat(width - text.length());
	}

	private record Row(String scenario, String claim, @Nullable Boolean held, String measured) {
	}

}
