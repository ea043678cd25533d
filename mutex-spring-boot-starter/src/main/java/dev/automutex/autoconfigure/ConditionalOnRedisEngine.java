package dev.automutex.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.automutex.autoconfigure.MutexProperties.Engine;

import org.springframework.context.annotation.Conditional;

/**
 * {@link Conditional @Conditional} that matches when {@code mutex.redis.engine} is the
 * given value; not set counts as {@link Engine#AUTOMUTEX automutex}. Bound as
 * {@link MutexProperties} binds it, so {@code spring-integration} and
 * {@code SPRING_INTEGRATION} are the same.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnRedisEngineCondition.class)
@interface ConditionalOnRedisEngine {

	/**
	 * The value of {@code mutex.redis.engine} that matches.
	 * @return the engine
	 */
	Engine value();

}
