package dev.automutex.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.automutex.autoconfigure.MutexProperties.Store;

import org.springframework.context.annotation.Conditional;

/**
 * {@link Conditional @Conditional} that matches when {@code mutex.store} is one of the
 * given values; not set counts as {@link Store#AUTO auto}. A property condition cannot
 * say "auto or redis".
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnMutexStoreCondition.class)
@interface ConditionalOnMutexStore {

	/**
	 * The values of {@code mutex.store} that match.
	 * @return the values
	 */
	Store[] value();

}
