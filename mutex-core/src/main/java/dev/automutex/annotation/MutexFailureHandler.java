package dev.automutex.annotation;

import org.jspecify.annotations.Nullable;

/**
 * Strategy interface for what an {@link AutoMutex} method does when its key is busy, like
 * redis-mutex's {@code after_failure}. Declare it as a bean and name it in
 * {@link AutoMutex#afterFailure()}: <pre class="code">
 * &#64;Bean
 * MutexFailureHandler busy() {
 *     return (failure) -&gt; "failed to acquire lock!";
 * }
 * </pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MutexFailureHandler {

	/**
	 * The built-in handler that skips the call quietly: the method does not run and
	 * returns {@code null} (for a {@code void} method, nothing), with no exception and no
	 * WARN, only a DEBUG line. For scheduled jobs that one instance runs while the others
	 * skip: {@code @AutoMutex(block = "0s", afterFailure = MutexFailureHandler.SKIP)}. No
	 * bean is needed; a method returning a primitive is refused at startup.
	 */
	String SKIP = "dev.automutex.skip";

	/**
	 * The handler behind {@link #SKIP}.
	 * @return a handler that logs at DEBUG and returns {@code null}
	 */
	static MutexFailureHandler skip() {
		return SkipHandler.INSTANCE;
	}

	/**
	 * Handle a failed acquisition. The annotated method has not run.
	 * @param failure the keys, method, arguments, target and exception
	 * @return the annotated method's return value (ignored for {@code void} methods; must
	 * not be {@code null} for primitive return types)
	 * @throws Throwable anything, which reaches the caller as the annotated method's
	 * exception
	 */
	@Nullable Object onFailure(MutexFailure failure) throws Throwable;

}
