package dev.automutex;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The template's Micrometer observations, one instrumentation for metrics and traces:
 * {@code mutex.acquire} (getting a key; outcome {@code acquired}, {@code busy} or
 * {@code error}) and {@code mutex.held} (from acquisition to release; outcome
 * {@code released}, {@code lost}, or {@code error} when the store could not be reached at
 * release). Their {@code name} tag is bounded: the key's text before its first {@code :}
 * ({@code ItunesVerifier#perform} of {@code ItunesVerifier#perform:123}, {@code Room} of
 * {@code Room:123}), never the per-call value. With the no-op registry (the default)
 * nothing is created.
 */
final class MutexObservations {

	static final String ACQUIRE = "mutex.acquire";

	static final String HELD = "mutex.held";

	private volatile ObservationRegistry registry = ObservationRegistry.NOOP;

	void setRegistry(ObservationRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Start observing an acquisition from the store.
	 * @param key the key text
	 * @return the observation, or {@code null} when nothing observes
	 */
	@Nullable Observation acquiring(String key) {
		return start(ACQUIRE, key);
	}

	/**
	 * Start observing a hold.
	 * @param key the key text
	 * @return the observation, or {@code null} when nothing observes
	 */
	@Nullable Observation holding(String key) {
		return start(HELD, key);
	}

	/**
	 * Stop an observation with its outcome.
	 * @param observation the observation, or {@code null}
	 * @param outcome its outcome
	 * @param error what failed, if anything
	 */
	static void stop(@Nullable Observation observation, String outcome, @Nullable Throwable error) {
		if (observation == null) {
			return;
		}
		observation.lowCardinalityKeyValue("outcome", outcome);
		if (error != null) {
			observation.error(error);
		}
		observation.stop();
	}

	private @Nullable Observation start(String name, String key) {
		ObservationRegistry registry = this.registry;
		if (registry.isNoop()) {
			return null;
		}
		return Observation.createNotStarted(name, registry)
			.contextualName(name)
			.lowCardinalityKeyValue("name", name(key))
			.start();
	}

	/**
	 * The bounded name of a key: its text before the first {@code :}.
	 * @param key the key text
	 * @return the name
	 */
	static String name(String key) {
		int colon = key.indexOf(':');
		return (colon > 0) ? key.substring(0, colon) : key;
	}

}
