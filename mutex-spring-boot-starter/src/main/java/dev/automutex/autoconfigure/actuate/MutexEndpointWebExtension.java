package dev.automutex.autoconfigure.actuate;

import java.util.Map;

import dev.automutex.MutexKey;
import dev.automutex.MutexTemplate;
import dev.automutex.autoconfigure.actuate.MutexEndpoint.HolderDescriptor;
import dev.automutex.store.ForceReleasableMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link MutexEndpoint} that
 * force-releases a stuck key: {@code DELETE /actuator/mutex/{key}} frees it whoever holds
 * it, and the holder is told it lost it (at once in this instance, at its next renewal or
 * check in another one). Off unless {@code mutex.actuator.force-release=true}; Actuator's
 * access control ({@code management.endpoint.mutex.access=read-only} removes it) applies
 * too.
 * <p>
 * Answers 200 with the key and who held it; 404 when nobody held it; 403 while it is
 * turned off; 501 when the store cannot free a key it does not hold.
 *
 * @since 0.1.0
 */
@EndpointWebExtension(endpoint = MutexEndpoint.class)
public class MutexEndpointWebExtension {

	private static final Logger logger = LoggerFactory.getLogger(MutexEndpointWebExtension.class);

	private static final int FORBIDDEN = 403;

	private static final int NOT_IMPLEMENTED = 501;

	private final MutexTemplate template;

	private final MutexStore store;

	private final boolean forceRelease;

	/**
	 * Create the extension.
	 * @param template the application's template
	 * @param store the store behind it
	 * @param forceRelease whether DELETE frees keys
	 * ({@code mutex.actuator.force-release})
	 */
	public MutexEndpointWebExtension(MutexTemplate template, MutexStore store, boolean forceRelease) {
		this.template = template;
		this.store = store;
		this.forceRelease = forceRelease;
	}

	/**
	 * Free a key whoever holds it.
	 * @param key the key text; may contain {@code /}
	 * @return 200 with the key and its holder before; 404 if it was free; 403 or 501 with
	 * the reason when it cannot be done
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> forceRelease(@Selector(match = Match.ALL_REMAINING) String[] key) {
		String text = String.join("/", key);
		if (!this.forceRelease) {
			return error(FORBIDDEN, "Force-release is turned off: set mutex.actuator.force-release=true to free "
					+ "stuck keys through this endpoint");
		}
		if (!(this.store instanceof ForceReleasableMutexStore)) {
			return error(NOT_IMPLEMENTED, "The store " + MutexStoreDescription.of(this.store).kind()
					+ " cannot free a key it does not hold; end the holder's work, or wait for its lease to end");
		}
		MutexKey mutexKey = new MutexKey(text); // the key text as it is
		@Nullable HolderDescriptor before = this.template.holder(mutexKey).map(HolderDescriptor::of).orElse(null);
		if (!this.template.forceRelease(mutexKey)) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		logger.warn("Mutex '{}' was force-released through the Actuator endpoint; its holder ({}) keeps running "
				+ "and is told it lost the key", text, describe(before));
		return new WebEndpointResponse<>(new ForcedDescriptor(text, before), WebEndpointResponse.STATUS_OK);
	}

	private static String describe(@Nullable HolderDescriptor holder) {
		if (holder == null) {
			return "unknown";
		}
		return holder.thisInstance() ? "thread '" + holder.thread() + "' of this instance" : "another instance";
	}

	private static WebEndpointResponse<Object> error(int status, String message) {
		return new WebEndpointResponse<>(Map.of("status", status, "error", message), status);
	}

	/**
	 * The answer to a force-release.
	 *
	 * @param key the key text
	 * @param holder who held it just before, as far as this instance could tell, or
	 * {@code null}
	 */
	public record ForcedDescriptor(String key, @Nullable HolderDescriptor holder) {

	}

}
