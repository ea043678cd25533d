package dev.automutex.autoconfigure.actuate;

import java.util.List;

import dev.automutex.MutexHold;
import dev.automutex.MutexHolder;
import dev.automutex.MutexKey;
import dev.automutex.MutexTemplate;
import dev.automutex.store.ListableMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.dao.DataAccessException;

/**
 * The {@code mutex} Actuator endpoint: what backs the locks and the keys this instance
 * holds ({@code GET /actuator/mutex}; on a shared store that can list them, Redis, also
 * the keys every instance holds, up to {@code ?limit=}), and who holds one key
 * ({@code GET /actuator/mutex/{key}}, 404 when it is free). Over HTTP,
 * {@link MutexEndpointWebExtension} adds {@code DELETE /actuator/mutex/{key}}. Exposed
 * like any endpoint, with {@code management.endpoints.web.exposure.include=mutex}. Times
 * are ISO-8601 instants and durations.
 *
 * @since 0.1.0
 */
@Endpoint(id = "mutex")
public class MutexEndpoint {

	/** The most keys one request may list from the store. */
	static final int MAX_LIMIT = 10_000;

	private final MutexTemplate template;

	private final MutexStore store;

	private final int defaultLimit;

	/**
	 * Create the endpoint, listing up to 100 keys of a shared store by default.
	 * @param template the application's template
	 * @param store the store behind it
	 */
	public MutexEndpoint(MutexTemplate template, MutexStore store) {
		this(template, store, 100);
	}

	/**
	 * Create the endpoint.
	 * @param template the application's template
	 * @param store the store behind it
	 * @param defaultLimit how many keys of a shared store to list when a request does not
	 * say
	 */
	public MutexEndpoint(MutexTemplate template, MutexStore store, int defaultLimit) {
		this.template = template;
		this.store = store;
		this.defaultLimit = Math.min(Math.max(defaultLimit, 1), MAX_LIMIT);
	}

	/**
	 * What backs the locks and the keys this instance holds now, sorted by key; on a
	 * store that can list them, also the keys every instance holds.
	 * @param limit how many keys of the store to list at most (default 100, at most
	 * 10000)
	 * @return the description
	 */
	@ReadOperation
	public MutexesDescriptor mutexes(@Nullable Integer limit) {
		List<HeldDescriptor> held = this.template.heldKeys().stream().map(HeldDescriptor::of).toList();
		// Described now: a store's description may change (the local store counts its
		// entries).
		MutexStoreDescription store = MutexStoreDescription.of(this.store);
		return new MutexesDescriptor(store.kind(), store.engine(), store.details(), held, inStore(limit));
	}

	private @Nullable InStoreDescriptor inStore(@Nullable Integer limit) {
		if (!(this.store instanceof ListableMutexStore)) {
			return null;
		}
		int max = (limit != null) ? Math.min(Math.max(limit, 1), MAX_LIMIT) : this.defaultLimit;
		try {
			// One more than asked: tells whether there are more.
			List<MutexHolder> holders = this.template.holders(max + 1);
			boolean more = holders.size() > max;
			List<StoredDescriptor> listed = holders.stream()
				.limit(max)
				.map((holder) -> new StoredDescriptor(holder.key(), holder.thisInstance(), holder.thread(),
						(holder.leaseLeft() != null) ? holder.leaseLeft().toString() : null))
				.toList();
			return new InStoreDescriptor(listed, max, more, null);
		}
		catch (DataAccessException ex) {
			return new InStoreDescriptor(List.of(), max, false, ex.getMessage());
		}
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
	 * @param inStore the keys every instance holds, for a store that can list them
	 * (Redis), else {@code null}
	 */
	public record MutexesDescriptor(String store, @Nullable String engine, @Nullable String details,
			List<HeldDescriptor> held, @Nullable InStoreDescriptor inStore) {

	}

	/**
	 * The keys held in a shared store by every instance ({@code SCAN} on Redis).
	 *
	 * @param held the keys found, sorted by key
	 * @param limit the most keys listed
	 * @param more whether the store holds more keys than listed
	 * @param error why the store could not be listed, or {@code null}
	 */
	public record InStoreDescriptor(List<StoredDescriptor> held, int limit, boolean more, @Nullable String error) {

	}

	/**
	 * One key held in a shared store.
	 *
	 * @param key the key text
	 * @param thisInstance whether this instance holds it
	 * @param thread the holding thread's name, when this instance holds it
	 * @param leaseLeft how long the store keeps it unless renewed or released (ISO-8601
	 * duration)
	 */
	public record StoredDescriptor(String key, boolean thisInstance, @Nullable String thread,
			@Nullable String leaseLeft) {

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
