package dev.automutex.autoconfigure.actuate;

import java.util.List;

import dev.automutex.MutexHold;
import dev.automutex.MutexHolder;
import dev.automutex.MutexKey;
import dev.automutex.MutexTemplate;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;

/**
 * The {@code mutex} Actuator endpoint: what backs the locks and the keys this instance
 * holds ({@code GET /actuator/mutex}), and who holds one key ({@code GET
 * /actuator/mutex/{key}}, 404 when it is free). Exposed like any endpoint, with
 * {@code management.endpoints.web.exposure.include=mutex}. Times are ISO-8601 instants
 * and durations.
 *
 * @since 0.1.0
 */
@Endpoint(id = "mutex")
public class MutexEndpoint {

	private final MutexTemplate template;

	private final MutexStore store;

	/**
	 * Create the endpoint.
	 * @param template the application's template
	 * @param store the store behind it
	 */
	public MutexEndpoint(MutexTemplate template, MutexStore store) {
		this.template = template;
		this.store = store;
	}

	/**
	 * What backs the locks and the keys this instance holds now, sorted by key.
	 * @return the description
	 */
	@ReadOperation
	public MutexesDescriptor mutexes() {
		List<HeldDescriptor> held = this.template.heldKeys().stream().map(HeldDescriptor::of).toList();
		// Described now: a store's description may change (the local store counts its
		// entries).
		MutexStoreDescription store = MutexStoreDescription.of(this.store);
		return new MutexesDescriptor(store.kind(), store.engine(), store.details(), held);
	}

	/**
	 * Who holds a key: this instance (with the thread and since when) or another one
	 * sharing the store.
	 * @param key the key text; may contain {@code /}
	 * @return the holder, or {@code null} (404) when the key is free
	 */
	@ReadOperation
	public @Nullable HolderDescriptor holder(@Selector(match = Match.ALL_REMAINING) String[] key) {
		String text = String.join("/", key);
		// The key text as it is: not converted again.
		return this.template.holder(new MutexKey(text)).map(HolderDescriptor::of).orElse(null);
	}

	/**
	 * The endpoint's answer to {@code GET /actuator/mutex}.
	 *
	 * @param store what backs the locks: {@code local}, {@code redis}, or the class of
	 * the application's own registry or store
	 * @param engine the Redis engine ({@code automutex} or {@code spring-integration}),
	 * or {@code null}
	 * @param details the store's description (for Redis its address and key prefix, never
	 * a password), or {@code null} for an application's own store
	 * @param held the keys this instance holds now
	 */
	public record MutexesDescriptor(String store, @Nullable String engine, @Nullable String details,
			List<HeldDescriptor> held) {

	}

	/**
	 * One key this instance holds.
	 *
	 * @param key the key text
	 * @param thread the holding thread's name
	 * @param since when it was acquired (ISO-8601)
	 * @param leaseLeft how long the store keeps it if it is neither renewed nor released
	 * (ISO-8601 duration), or {@code null} where keys do not expire
	 * @param fencingToken its fencing token, or {@code null}
	 * @param lost whether its loss is known and its holder has not released it yet
	 */
	public record HeldDescriptor(String key, String thread, String since, @Nullable String leaseLeft,
			@Nullable Long fencingToken, boolean lost) {

		static HeldDescriptor of(MutexHold hold) {
			return new HeldDescriptor(hold.key(), hold.thread(), hold.since().toString(),
					(hold.leaseLeft() != null) ? hold.leaseLeft().toString() : null, hold.fencingToken(), hold.lost());
		}

	}

	/**
	 * The holder of one key.
	 *
	 * @param key the key text
	 * @param thisInstance whether this instance holds it
	 * @param thread the holding thread's name, when this instance holds it
	 * @param since when it was acquired (ISO-8601), when this instance holds it
	 * @param leaseLeft how long the store keeps it (ISO-8601 duration), where keys expire
	 */
	public record HolderDescriptor(String key, boolean thisInstance, @Nullable String thread, @Nullable String since,
			@Nullable String leaseLeft) {

		static HolderDescriptor of(MutexHolder holder) {
			return new HolderDescriptor(holder.key(), holder.thisInstance(), holder.thread(),
					(holder.since() != null) ? holder.since().toString() : null,
					(holder.leaseLeft() != null) ? holder.leaseLeft().toString() : null);
		}

	}

}
