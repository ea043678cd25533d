package dev.automutex;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One key this instance holds now, as {@link MutexTemplate#heldKeys()} lists them (for
 * the Actuator endpoint, logs or a test). A snapshot, from the template's own records: it
 * costs no round trip and may be stale as soon as it is returned.
 *
 * @param key the key text
 * @param thread the name of the thread that holds it
 * @param since when that thread acquired it
 * @param leaseLeft how long the store keeps the key if it is neither renewed nor
 * released, as far as this instance knows (its lease counted from when the request went
 * out); {@code null} for stores that keep a key until it is released
 * @param fencingToken the key's fencing token, when the store issued one; {@code null}
 * otherwise
 * @param lost whether the template has learnt that the key was lost (its lease expired or
 * was taken over) and its holder has not released it yet
 * @since 0.1.0
 */
public record MutexHold(String key, String thread, Instant since, @Nullable Duration leaseLeft,
		@Nullable Long fencingToken, boolean lost) {

}
