package dev.automutex.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@code long} parameter of an {@link AutoMutex} method that receives the
 * fencing token of the key the call holds (see
 * {@link dev.automutex.MutexLock#fencingToken()}); whatever the caller passed is
 * replaced. <pre class="code">
 * &#64;AutoMutex(on = "#accountId")
 * public void write(long accountId, Entry entry, &#64;FencingToken long token) {
 *     repository.saveIfNewer(accountId, entry, token);   // refuses tokens smaller than the last one seen
 * }
 * </pre>
 *
 * @since 0.1.0
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface FencingToken {

}
