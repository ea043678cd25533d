package dev.automutex.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.automutex.autoconfigure.MutexProperties.Store;

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
 * {@link SpringBootCondition} behind {@link ConditionalOnMutexStore}: binds
 * {@code mutex.store} as {@link MutexProperties} does (so {@code REDIS} and {@code redis}
 * are the same) and says in the conditions report which value it found. An invalid value
 * does not match here; binding {@link MutexProperties} then fails with the property's
 * name.
 */
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
class OnMutexStoreCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Store[] accepted = metadata.getAnnotations()
			.get(ConditionalOnMutexStore.class)
			.getEnumArray("value", Store.class);
		ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnMutexStore.class, "("
				+ Arrays.stream(accepted).map(OnMutexStoreCondition::name).collect(Collectors.joining(" or ")) + ")");
		BindResult<Store> bound;
		try {
			bound = Binder.get(context.getEnvironment()).bind("mutex.store", Store.class);
		}
		catch (BindException ex) {
			return ConditionOutcome.noMatch(message.because("mutex.store has an invalid value"));
		}
		Store store = bound.orElse(Store.AUTO);
		String found = bound.isBound() ? "mutex.store is '" + name(store) + "'" : "mutex.store is not set (auto)";
		return Arrays.asList(accepted).contains(store) ? ConditionOutcome.match(message.because(found))
				: ConditionOutcome.noMatch(message.because(found));
	}

	private static String name(Store store) {
		return store.name().toLowerCase(Locale.ROOT);
	}

}
