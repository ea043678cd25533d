package dev.automutex.reliability;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.convert.DurationStyle;

/**
 * The suite's command line: {@code --quick} for the reduced run CI does on every change,
 * {@code --only=1,3} to run some scenarios, {@code --soak=10m} for the soak's length.
 *
 * @param quick whether to run the reduced form (fewer operations, a one-minute soak)
 * @param only scenario numbers to run; empty for all
 * @param soak how long the soak runs
 */
record SuiteOptions(boolean quick, Set<Integer> only, Duration soak) {

	static SuiteOptions parse(String[] args) {
		boolean quick = false;
		Set<Integer> only = new LinkedHashSet<>();
		Duration soak = null;
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else if (arg.startsWith("--only=")) {
				for (String number : arg.substring("--only=".length()).split(",")) {
					only.add(Integer.parseInt(number.trim()));
				}
			}
			else if (arg.startsWith("--soak=")) {
				soak = DurationStyle.detectAndParse(arg.substring("--soak=".length()));
			}
			else {
				throw new IllegalArgumentException("Unknown argument '" + arg
						+ "'; use --quick, --only=<numbers, comma-separated> or --soak=<duration such as 10m>");
			}
		}
		return new SuiteOptions(quick, only, (soak != null) ? soak : Duration.ofMinutes(quick ? 1 : 10));
	}

	boolean includes(Scenario scenario) {
		return this.only.isEmpty() || this.only.contains(scenario.number());
	}

	/**
	 * Pick the quick or the full figure.
	 * @param quickValue used with {@code --quick}
	 * @param fullValue used otherwise
	 * @return the figure for this run
	 */
	int pick(int quickValue, int fullValue) {
		return this.quick ? quickValue : fullValue;
	}

	/**
	 * The command that starts a worker JVM: this jar (or this class path) with
	 * {@code worker} as its first argument.
	 * @return the command's leading words
	 */
	static List<String> workerCommand() {
		String javaCommand = ProcessHandle.current().info().command().orElse("java");
		String classPath = System.getProperty("java.class.path");
		List<String> command = new ArrayList<>(List.of(javaCommand, "-Xmx256m", "-XX:+UseSerialGC"));
		if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
			command.addAll(List.of("-jar", classPath));
		}
		else {
			command.addAll(List.of("-cp", classPath, ReliabilitySuite.class.getName()));
		}
		command.add("worker");
		return command;
	}

}
