package dev.automutex.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Import;

/**
 * Enables {@link AutoMutex} in a plain Spring application. Spring Boot applications do
 * not need it for the default proxy mode: the starter enables it, and backs off when the
 * application declares this annotation itself. A {@link dev.automutex.MutexOperations}
 * bean (usually a {@link dev.automutex.MutexTemplate}) must exist. <pre class="code">
 * &#64;Configuration
 * &#64;EnableAutoMutex
 * class LockingConfig {
 *     &#64;Bean
 *     MutexTemplate mutexTemplate() {
 *         return new MutexTemplate(new LocalMutexStore());
 *     }
 * }
 * </pre>
 * <p>
 * In the default {@link AdviceMode#PROXY proxy} mode, a Spring AOP proxy holds the key
 * around calls that come from other beans: a call from inside the same class
 * ({@code this.perform(...)}) does not go through the proxy and is not locked, and the
 * method must be public and not final. {@code mode = AdviceMode.ASPECTJ} locks every
 * execution of the method instead, self-calls and private methods included, through
 * {@link dev.automutex.aspectj.AutoMutexAspect}, which AspectJ weaves into the classes at
 * load time ({@code -javaagent:aspectjweaver.jar} and a {@code META-INF/aop.xml}) or at
 * compile time.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(AutoMutexConfigurationSelector.class)
public @interface EnableAutoMutex {

	/**
	 * Whether to proxy classes (CGLIB) rather than interfaces. Applies to every
	 * Spring-managed proxy in the context, as with {@code @EnableCaching}. Ignored in
	 * {@link AdviceMode#ASPECTJ} mode, which creates no proxy.
	 * @return {@code true} to force class proxies
	 */
	boolean proxyTargetClass() default false;

	/**
	 * How {@link AutoMutex} is applied: {@link AdviceMode#PROXY} (Spring AOP proxies;
	 * calls from inside the same class are not locked) or {@link AdviceMode#ASPECTJ}
	 * (AspectJ weaving of {@link dev.automutex.aspectj.AutoMutexAspect}, which also locks
	 * self-calls and private methods; needs {@code org.aspectj:aspectjweaver} and
	 * load-time or compile-time weaving).
	 * @return the advice mode
	 */
	AdviceMode mode() default AdviceMode.PROXY;

}
