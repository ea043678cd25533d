package dev.automutex.annotation;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.automutex.MutexKey;
import dev.automutex.MutexRequest;
import org.jspecify.annotations.Nullable;

/**
 * Prepared form of one {@link MutexOperation}: everything a call of its method needs,
 * built once per method and class by {@link MutexAnnotationParser} and cached by
 * {@link MutexOperationSource}: the operation, its parsed key expressions, the fixed part
 * of its keys, its request settings and its failure handler, looked up at the first
 * failure and kept. Immutable apart from that handler; thread-safe.
 */
final class MutexOperationMetadata {

	private static final KeyExpression[] NO_EXPRESSIONS = {};

	static final int RECENT_REQUESTS = 1024;

	private final MutexOperation operation;

	private final KeyExpression[] on;

	private final KeyExpression[] all;

	private final String keyPrefix;

	private final @Nullable MutexRequest fixedRequest;

	private final boolean mayReturnFuture;

	private final @Nullable Supplier<MutexFailureHandler> failureHandler;

	/**
	 * Requests of recent simple values of a single {@code on} expression, for keys
	 * converted by default.
	 */
	private final ConcurrentHashMap<Object, MutexRequest> recentRequests = new ConcurrentHashMap<>();

	/**
	 * Prepare an operation.
	 * @param operation the operation, as read from the annotation
	 * @param on the parsed expressions of {@code on}, possibly none
	 * @param all the parsed expressions of {@code all}, possibly none
	 * @param failureHandler the handler named by {@code afterFailure}, resolved when
	 * first asked for and then kept, or {@code null} to throw
	 */
	MutexOperationMetadata(MutexOperation operation, KeyExpression[] on, KeyExpression[] all,
			@Nullable Supplier<MutexFailureHandler> failureHandler) {
		this.operation = operation;
		this.on = (on.length > 0) ? on.clone() : NO_EXPRESSIONS;
		this.all = (all.length > 0) ? all.clone() : NO_EXPRESSIONS;
		this.keyPrefix = operation.name() + ":";
		// Without expressions the key, and so the whole request, is the same on every
		// call.
		this.fixedRequest = (on.length == 0 && all.length == 0) ? request(new MutexKey(operation.name())) : null;
		this.failureHandler = failureHandler;
		Class<?> returnType = operation.method().getReturnType();
		this.mayReturnFuture = Future.class.isAssignableFrom(returnType) || returnType.isAssignableFrom(Future.class);
	}

	/**
	 * Whether the method's results can be {@link Future}s: only then is a result checked
	 * for unfinished work.
	 * @return {@code true} if the method's results can be futures
	 */
	boolean mayReturnFuture() {
		return this.mayReturnFuture;
	}

	MutexOperation operation() {
		return this.operation;
	}

	/**
	 * The expressions whose values make one key; empty for a fixed key or {@link #all()}.
	 * @return the expressions of {@code on}
	 */
	KeyExpression[] on() {
		return this.on;
	}

	/**
	 * The expressions whose values are each a key; empty unless the annotation has
	 * {@code all}.
	 * @return the expressions of {@code all}
	 */
	KeyExpression[] all() {
		return this.all;
	}

	/**
	 * The key name and its separator: {@code name + ":"}.
	 * @return the prefix of the operation's keys
	 */
	String keyPrefix() {
		return this.keyPrefix;
	}

	/**
	 * The request of every call when the key has no expressions.
	 * @return the fixed request, or {@code null} if the key has expressions
	 */
	@Nullable MutexRequest fixedRequest() {
		return this.fixedRequest;
	}

	/**
	 * A request for one key with the operation's settings.
	 * @param key the key
	 * @return the request
	 */
	MutexRequest request(MutexKey key) {
		return withSettings(MutexRequest.of(key));
	}

	/**
	 * A request for several keys, all or none, with the operation's settings.
	 * @param keys the keys
	 * @return the request
	 */
	MutexRequest requestAll(Collection<MutexKey> keys) {
		return withSettings(MutexRequest.ofAll(keys));
	}

	/**
	 * The request made earlier for the same simple value (a string, number, UUID,
	 * enum...), if still kept.
	 * @param value the value of the key expression
	 * @return the request, or {@code null} if none is kept for the value
	 */
	@Nullable MutexRequest recentRequest(Object value) {
		return this.recentRequests.get(value);
	}

	/**
	 * Keep a request for a simple value: at most {@value #RECENT_REQUESTS} values are
	 * kept, so that a method called with ever new ids does not grow the cache.
	 * @param value the value of the key expression
	 * @param request the request made for it
	 */
	void keepRecentRequest(Object value, MutexRequest request) {
		if (this.recentRequests.size() >= RECENT_REQUESTS) {
			this.recentRequests.clear();
		}
		this.recentRequests.put(value, request);
	}

	/**
	 * The failure handler, resolved at the first call and kept.
	 * @return the handler, or {@code null} if the annotation names none
	 */
	@Nullable MutexFailureHandler failureHandler() {
		return (this.failureHandler != null) ? this.failureHandler.get() : null;
	}

	private MutexRequest withSettings(MutexRequest request) {
		MutexRequest result = request;
		Duration block = this.operation.block();
		if (block != null) {
			result = result.block(block);
		}
		Duration expire = this.operation.expire();
		if (expire != null) {
			result = result.expire(expire);
		}
		Boolean renew = this.operation.renew();
		if (renew != null) {
			result = result.renew(renew);
		}
		Duration holdAtLeast = this.operation.holdAtLeast();
		if (holdAtLeast != null) {
			result = result.holdAtLeast(holdAtLeast);
		}
		return result;
	}

}
