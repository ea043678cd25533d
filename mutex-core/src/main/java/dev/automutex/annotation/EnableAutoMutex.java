package dev.automutex.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

/**
 * Enables {@link AutoMutex} in a plain Spring application. Spring Boot applications do
 * not need it: the starter enables it. A {@link dev.automutex.MutexOperations} bean
 * (usually a {@link dev.automutex.MutexTemplate}) must exist. <pre class="code">
 * &#64;Configuration
 * &#64;EnableAutoMutex
 * class LockingConfig {
 *     &#64;Bean
 *     MutexTemplate mutexTemplate() {
 *         return new MutexTemplate(new LocalMutexStore());
 *     }
 * }
 * </pre>
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import({ MutexAutoProxyRegistrar.class, MutexAnnotationConfiguration.class })
public @interface EnableAutoMutex {

	/**
	 * Whether to proxy classes (CGLIB) rather than interfaces. Applies to every
	 * Spring-managed proxy in the context, as with {@code @EnableCaching}.
	 * @return {@code true} to force class proxies
	 */
	boolean proxyTargetClass() default false;

}
