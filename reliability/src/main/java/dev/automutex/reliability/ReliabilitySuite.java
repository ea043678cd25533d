package dev.automutex.reliability;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.automutex.reliability.worker.WorkerApplication;

/**
 * Runs the reliability scenarios of issue 9 and prints one table: each claim, whether it
 * held, and what was measured. Exits with 1 when a claim failed.
 * <p>
 * Run (about 20 minutes; {@code redis-server} and {@code redis-cli} on the {@code PATH}):
 * <pre class="code">
 * mvn -B -ntp -Preliability -pl reliability -am package -DskipTests
 * java -jar reliability/target/reliability.jar            # full
 * java -jar reliability/target/reliability.jar --quick    # what CI runs
 * java -jar reliability/target/reliability.jar --only=2,3 # some scenarios
 * </pre> The same jar, with {@code worker} as its first argument, is the worker process
 * the scenarios start ({@link WorkerApplication}).
 *
 * @since 0.1.0
 */
public final class ReliabilitySuite {

	private ReliabilitySuite() {
	}

	/**
	 * Run the suite, or a worker.
	 * @param args {@code --quick}, {@code --only=<numbers>}, {@code --soak=<duration>};
	 * or {@code worker} and the worker's arguments
	 */
	public static void main(String[] args) {
		if (args.length > 0 && args[0].equals("worker")) {
			WorkerApplication.main(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		SuiteOptions options = SuiteOptions.parse(args);
		List<Scenario> scenarios = List.of(new ExclusionScenario(), new HolderKilledScenario(),
				new RedisFaultScenario(), new RedisUnreachableScenario(), new ClusterScenario(), new BadInputScenario(),
				new SoakScenario());
		if (scenarios.stream().noneMatch(options::includes)) {
			throw new IllegalArgumentException("No scenario numbered " + options.only() + "; there are "
					+ scenarios.stream().map(Scenario::number).toList());
		}
		Report report = new Report();
		long start = System.nanoTime();
		for (Scenario scenario : scenarios) {
			if (!options.includes(scenario)) {
				continue;
			}
			System.out.printf("%n== %d. %s%n", scenario.number(), scenario.title());
			long scenarioStart = System.nanoTime();
			try {
				scenario.run(options, report);
			}
			catch (Throwable ex) {
				ex.printStackTrace();
				report.check(scenario, "ran to the end", false, ex.toString());
			}
			System.out.printf("   (%d s)%n", Duration.ofNanos(System.nanoTime() - scenarioStart).toSeconds());
		}
		report.print(System.out);
		System.out.printf("Reliability suite%s: %d s%n", options.quick() ? " (--quick)" : "",
				Duration.ofNanos(System.nanoTime() - start).toSeconds());
		System.exit(report.allHeld() ? 0 : 1);
	}

}
