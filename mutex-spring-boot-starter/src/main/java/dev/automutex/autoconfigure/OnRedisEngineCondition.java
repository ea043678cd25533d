package dev.automutex.autoconfigure;

import java.util.Locale;

import dev.automutex.autoconfigure.MutexProperties.Engine;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@link SpringBootCondition} behind {@link ConditionalOnRedisEngine}: binds
 * {@code mutex.redis.engine} as {@link MutexProperties} does and says in the conditions
 * report which value it found. An invalid value does not match here; binding
 * {@link MutexProperties} then fails with the property's name.
 */
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
class OnRedisEngineCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Engine accepted = (Engine) metadata.getAnnotations()
			.get(ConditionalOnRedisEngine.class)
			.getEnum("value", Engine.class);
		ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnRedisEngine.class,
				"(" + name(accepted) + ")");
		BindResult<Engine> bound;
		try {
			bound = Binder.get(context.getEnvironment()).bind("mutex.redis.engine", Engine.class);
		}
		catch (BindException ex) {
			return ConditionOutcome.noMatch(message.because("mutex.redis.engine has an invalid value"));
		}
		Engine engine = bound.orElse(Engine.AUTOMUTEX);
		String found = bound.isBound() ? "mutex.redis.engine is '" + name(engine) + "'"
				: "mutex.redis.engine is not set (automutex)";
		return (engine == accepted) ? ConditionOutcome.match(message.because(found))
				: ConditionOutcome.noMatch(message.because(found));
	}

	private static String name(Engine engine) {
		return engine.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
