package dev.automutex.reliability;

import java.util.List;

import dev.automutex.MutexTemplate;
import dev.automutex.reliability.worker.BadInputService;
import dev.automutex.test.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Scenario 6, bad input: null, empty, blank and 1 MB keys; keys with {@code :},
 * <code>{</code>, <code>}</code>, {@code *}, {@code ?}, newlines, NUL and non-ASCII;
 * negative, zero and huge durations; {@code @AutoMutex} key expressions that throw;
 * failure handlers that throw; interrupted waiters. Each input must give a clear error or
 * a correct lock, and leave nothing held in the templates or in Redis. Two applications
 * in this JVM share one Redis, on each engine in turn; one row per group and engine.
 */
final class BadInputScenario implements Scenario {

	private static final List<String> ENGINES = List.of("automutex", "spring-integration");

	@Override
	public int number() {
		return 6;
	}

	@Override
	public String title() {
		return "Bad input";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			for (String engine : ENGINES) {
				redis.flushAll();
				run(redis, engine, report);
			}
		}
	}

	private void run(RedisServer redis, String engine, Report report) throws Exception {
		String engineArgument = "--mutex.redis.engine=" + engine;
		try (ConfigurableApplicationContext first = RedisApplications.start(redis.port(), engineArgument);
				ConfigurableApplicationContext second = RedisApplications.start(redis.port(), engineArgument)) {
			BadInputBattery battery = new BadInputBattery(engine, first.getBean(MutexTemplate.class),
					second.getBean(MutexTemplate.class), new BadInputRedis(redis.port(), engine));
			BadInputService service = first.getBean(BadInputService.class);
			battery.begin("keys");
			KeyInputs.run(battery);
			record(report, battery.tally(), engine);
			battery.begin("durations");
			DurationInputs.run(battery);
			record(report, battery.tally(), engine);
			battery.begin("SpEL in @AutoMutex");
			AnnotationInputs.spel(battery, service);
			record(report, battery.tally(), engine);
			battery.begin("failure handlers");
			AnnotationInputs.handlers(battery, service);
			record(report, battery.tally(), engine);
			battery.begin("interrupted waiters");
			InterruptInputs.run(battery, service);
			record(report, battery.tally(), engine);
		}
	}

	private void record(Report report, BadInputTally tally, String engine) {
		report.check(this, engine + " engine, " + tally.group() + ": clear error or correct lock, nothing left",
				tally.held(), tally.summary());
	}

}
