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
	 * Handle a failed acquisition. The annotated method has not run.
	 * @param failure the keys, method, arguments, target and exception
	 * @return the annotated method's return value (ignored for {@code void} methods; must
	 * not be {@code null} for primitive return types)
	 * @throws Throwable anything, which reaches the caller as the annotated method's
	 * exception
	 */
	@Nullable Object onFailure(MutexFailure failure) throws Throwable;

}
