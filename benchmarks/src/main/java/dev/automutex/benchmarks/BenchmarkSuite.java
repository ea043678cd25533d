package dev.automutex.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The one entry point of the benchmarks: runs the JMH benchmarks that the targets
 * need (each in a JVM of its own, with a private {@code redis-server} where it needs
 * Redis) and the counting tools ({@link RedisMeasurements}), then prints one table, a row
 * per target with our figure, the peer's, the ratio and whether the target was met.
 * <p>
 * {@code --quick} (for CI, a few minutes): short iterations, fewer samples and keys. A
 * missed target never fails a run, since absolute figures on a shared machine are noise;
 * an exception does (a lost update, an overlap, a key refused that was free, a benchmark
 * that threw), with exit status 1. <pre class="code">
 * mvn -B -ntp -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.automutex.benchmarks.BenchmarkSuite [--quick]
 * </pre>
 */
public final class BenchmarkSuite {

	private static final String REDIS_BENCHMARKS = RedisLockBenchmark.class.getName()
			+ "\\.(floor|springIntegrationRegistry|templateAutomutex|templateAutomutexWithToken"
			+ "|contendedTemplateAutomutex|contendedSpringIntegrationRegistry)$";

	private static final String LOCAL_BENCHMARKS = AnnotationBenchmark.class.getName()
			+ "\\.(handWritten|mutexTemplateWithLock|autoMutex)$";

	private static final String LOCAL_CONTENDED = LocalLockBenchmark.class.getName()
			+ "\\.(defaultLockRegistry|mutexTemplateWithLock)$";

	private static final long STARTED = System.nanoTime();

	private BenchmarkSuite() {
	}

	public static void main(String[] args) {
		boolean quick = false;
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else {
				System.err.println("Usage: BenchmarkSuite [--quick]");
				System.exit(2);
			}
		}
		long start = System.nanoTime();
		try {
			SuiteTable table = run(quick ? Settings.QUICK : Settings.FULL);
			System.out.printf("%n## AutoMutex benchmark suite (%s, %d s)%n%n", quick ? "quick" : "full",
					TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
			table.print(System.out);
			System.exit(0);
		}
		catch (Throwable ex) {
			System.err.println("The benchmark suite failed: " + ex);
			ex.printStackTrace();
			System.exit(1);
		}
	}

	static SuiteTable run(Settings settings) throws Exception {
		progress("JMH: Redis, Redisson, @AutoMutex on Redis, local store");
		Map<String, Double> jmh = jmh(settings);
		progress("JMH done");
		SuiteTable table = new SuiteTable();
		RedisMeasurements.run(settings, jmh, table);
		local(settings, jmh, table);
		progress("done");
		return table;
	}

	private static Map<String, Double> jmh(Settings settings) throws Exception {
		ChainedOptionsBuilder options = new OptionsBuilder().include(REDIS_BENCHMARKS)
			.include(RedissonBenchmark.class.getName() + "\\.")
			.include(RedisAnnotationBenchmark.class.getName() + "\\.")
			.include(LOCAL_BENCHMARKS)
			.include(LOCAL_CONTENDED)
			.param("keys", "1")
			.forks(settings.forks())
			.warmupIterations(settings.warmupIterations())
			.warmupTime(TimeValue.milliseconds(settings.iterationMillis()))
			.measurementIterations(settings.iterations())
			.measurementTime(TimeValue.milliseconds(settings.iterationMillis()))
			.shouldFailOnError(true)
			.verbosity(VerboseMode.SILENT);
		Collection<RunResult> results = new Runner(options.build()).run();
		Map<String, Double> scores = new HashMap<>();
		for (RunResult result : results) {
			String name = result.getParams().getBenchmark();
			String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
			scores.put(shortName, result.getPrimaryResult().getScore());
			progress(String.format("%s: %.3f %s", shortName, result.getPrimaryResult().getScore(),
					result.getPrimaryResult().getScoreUnit()));
		}
		return scores;
	}

	private static void local(Settings settings, Map<String, Double> jmh, SuiteTable table) throws Exception {
		progress("Memory: local store");
		int inTurn = settings.inTurnKeys();
		long ours = MemoryFootprint.localInTurn(inTurn);
		long handWritten = MemoryFootprint.handWrittenInTurn(inTurn);
		table.atMost("7", String.format("%,d keys locked and released in turn, local store: heap left behind", inTurn),
				kilobytes(ours), ours, kilobytes(handWritten) + " (hand-written map)", Double.NaN, 1024 * 1024,
				" bytes");
		double perHeld = MemoryFootprint.localPerHeldKey(settings.heldKeys());
		double perHeldHandWritten = MemoryFootprint.handWrittenPerHeldKey(settings.heldKeys());
		table.report("7", "bytes of heap per held key, local store (" + settings.heldKeys() + " held)",
				SuiteTable.number(perHeld), SuiteTable.number(perHeldHandWritten) + " (hand-written map)",
				perHeldHandWritten / perHeld);
		double hand = jmh.get("AnnotationBenchmark.handWritten");
		double withLock = jmh.get("AnnotationBenchmark.mutexTemplateWithLock");
		double annotated = jmh.get("AnnotationBenchmark.autoMutex");
		table.report("9", "local store, one thread: `withLock`, ns/call", SuiteTable.number(withLock),
				SuiteTable.number(hand) + " (hand-written)", hand / withLock);
		table.report("9", "local store, one thread: `@AutoMutex`, ns/call", SuiteTable.number(annotated),
				SuiteTable.number(hand) + " (hand-written)", hand / annotated);
		double striped = jmh.get("LocalLockBenchmark.defaultLockRegistry");
		double contended = jmh.get("LocalLockBenchmark.mutexTemplateWithLock");
		table.report("9", "local store, two threads on one key: `withLock`, ops/µs", SuiteTable.number(contended),
				SuiteTable.number(striped) + " (DefaultLockRegistry)", contended / striped);
	}

	static String kilobytes(long bytes) {
		return SuiteTable.number(bytes / 1024.0) + " KB";
	}

	static void progress(String message) {
		System.err.printf("[suite %3d s] %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED), message);
	}

	/**
	 * How long and how much each part runs.
	 *
	 * @param forks JMH forks per benchmark
	 * @param warmupIterations JMH warm-up iterations
	 * @param iterations JMH measured iterations
	 * @param iterationMillis ms per JMH iteration
	 * @param handoffSamples hand-offs measured per peer
	 * @param contendedSeconds seconds each contended loop is measured
	 * @param countCycles cycles counted per round-trip figure
	 * @param inTurnKeys distinct keys locked and released in turn
	 * @param heldKeys keys held at once for the bytes per held key
	 * @param waitForExpirySeconds how long to wait, at most, for the Redis keys left
	 * after the keys in turn to expire ({@code 0}: not waited for)
	 */
	record Settings(int forks, int warmupIterations, int iterations, int iterationMillis, int handoffSamples,
			int contendedSeconds, int countCycles, int inTurnKeys, int heldKeys, int waitForExpirySeconds) {

		static final Settings QUICK = new Settings(1, 1, 1, 500, 60, 2, 100, 20_000, 2_000, 0);

		static final Settings FULL = new Settings(2, 3, 5, 2000, 500, 5, 1000, 1_000_000, 10_000, 90);

	}

}
