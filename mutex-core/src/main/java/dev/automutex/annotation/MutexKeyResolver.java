package dev.automutex.annotation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import dev.automutex.DefaultMutexKeyConverter;
import dev.automutex.MutexKey;
import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.expression.EvaluationException;
import org.springframework.util.ObjectUtils;

/**
 * Resolver of the {@link MutexRequest} of one {@link AutoMutex} call, the counterpart of
 * Spring's {@code KeyGenerator}: evaluates the key expressions with a
 * {@link MutexExpressionEvaluator} and converts each value with the engine's
 * {@link MutexKeyConverter}. Keys are {@code name}, {@code name:v1:v2...} for {@code on},
 * and one {@code name:v} per value for {@code all}; they are handed to the engine as
 * {@link MutexKey}s, already converted. A method without expressions reuses one request
 * for every call.
 * <p>
 * Thread-safe.
 */
final class MutexKeyResolver {

	private final MutexExpressionEvaluator evaluator = new MutexExpressionEvaluator();

	private final Supplier<MutexKeyConverter> keyConverter;

	MutexKeyResolver(Supplier<MutexKeyConverter> keyConverter) {
		this.keyConverter = keyConverter;
	}

	/**
	 * The request of one call.
	 * @param metadata the method's prepared operation
	 * @param args the arguments of the call
	 * @param target the bean whose method was called
	 * @return the request, with the operation's settings
	 * @throws IllegalArgumentException if an expression cannot be evaluated for these
	 * arguments (SpEL fails: a property that is missing or read on {@code null}, an index
	 * out of range), a value is {@code null} or cannot be converted, or {@code all} gives
	 * no key
	 */
	MutexRequest request(MutexOperationMetadata metadata, @Nullable Object[] args, Object target) {
		MutexRequest fixed = metadata.fixedRequest();
		if (fixed != null) {
			return fixed;
		}
		if (metadata.all().length > 0) {
			return metadata.requestAll(keys(metadata, args, target));
		}
		MutexKeyConverter converter = this.keyConverter.get();
		if (metadata.on().length > 1) {
			return metadata.request(joinedKey(converter, metadata, args, target));
		}
		Object value = value(metadata, metadata.on()[0], args, target);
		// The default converter makes the same text from equal simple values: reuse their
		// request.
		boolean reusable = converter.getClass() == DefaultMutexKeyConverter.class && isSimple(value);
		MutexRequest recent = reusable ? metadata.recentRequest(value) : null;
		if (recent != null) {
			return recent;
		}
		MutexRequest request = metadata
			.request(new MutexKey(metadata.keyPrefix().concat(convert(converter, metadata, metadata.on()[0], value))));
		if (reusable) {
			metadata.keepRecentRequest(value, request);
		}
		return request;
	}

	private static boolean isSimple(Object value) {
		return value instanceof String || value instanceof Long || value instanceof Integer || value instanceof UUID
				|| value instanceof Enum<?> || value instanceof Short || value instanceof Byte
				|| value instanceof Character || value instanceof Boolean;
	}

	/**
	 * The key of several {@code on} values, joined with {@code :}.
	 * @param converter the key converter
	 * @param metadata the method's prepared operation
	 * @param args the arguments of the call
	 * @param target the bean whose method was called
	 * @return the key
	 */
	private MutexKey joinedKey(MutexKeyConverter converter, MutexOperationMetadata metadata, @Nullable Object[] args,
			Object target) {
		KeyExpression[] on = metadata.on();
		StringBuilder key = new StringBuilder(64).append(metadata.keyPrefix());
		for (int i = 0; i < on.length; i++) {
			if (i > 0) {
				key.append(':');
			}
			Object value = value(metadata, on[i], args, target);
			String text = convert(converter, metadata, on[i], value);
			// Text passed in as text may contain the separator: ("x:y", "z") and ("x",
			// "y:z") must differ.
			key.append((value instanceof CharSequence) ? escapeSeparator(text) : text);
		}
		return new MutexKey(key.toString());
	}

	private List<MutexKey> keys(MutexOperationMetadata metadata, @Nullable Object[] args, Object target) {
		MutexKeyConverter converter = this.keyConverter.get();
		List<MutexKey> keys = new ArrayList<>();
		for (KeyExpression expression : metadata.all()) {
			for (Object element : elements(value(metadata, expression, args, target))) {
				if (element == null) {
					throw new IllegalArgumentException("Key expression '" + expression.text() + "' of "
							+ metadata.operation().describe() + " gave a null element, and null cannot be a mutex key");
				}
				keys.add(new MutexKey(metadata.keyPrefix() + convert(converter, metadata, expression, element)));
			}
		}
		if (keys.isEmpty()) {
			throw new IllegalArgumentException(
					"Key expressions " + metadata.operation().all() + " of " + metadata.operation().describe()
							+ " gave no key (empty collections), so there is nothing to lock");
		}
		return keys;
	}

	private static String escapeSeparator(String text) {
		if (text.indexOf(':') < 0 && text.indexOf('\\') < 0) {
			return text;
		}
		return text.replace("\\", "\\\\").replace(":", "\\:");
	}

	private Object value(MutexOperationMetadata metadata, KeyExpression expression, @Nullable Object[] args,
			Object target) {
		MutexOperation operation = metadata.operation();
		Object value;
		try {
			value = this.evaluator.evaluate(expression, operation.method(), operation.targetClass(), args, target);
		}
		catch (EvaluationException ex) {
			// SpEL's own message names neither the expression nor the method. An
			// exception thrown by code the expression calls is not one: it reaches the
			// caller unchanged.
			throw new IllegalArgumentException("Key expression '" + expression.text() + "' of " + operation.describe()
					+ " could not be evaluated for this call (" + ex.getMessage() + "); nothing was locked and the "
					+ "method did not run", ex);
		}
		if (value == null) {
			throw new IllegalArgumentException("Key expression '" + expression.text() + "' of " + operation.describe()
					+ " evaluated to null, and null cannot be a mutex key; pass a non-null value or check for "
					+ "null before the call");
		}
		return value;
	}

	private static Iterable<?> elements(Object value) {
		if (value instanceof Iterable<?> iterable) {
			return iterable;
		}
		if (value.getClass().isArray()) {
			return Arrays.asList(ObjectUtils.toObjectArray(value));
		}
		return List.of(value);
	}

	private static String convert(MutexKeyConverter converter, MutexOperationMetadata metadata,
			KeyExpression expression, Object value) {
		try {
			return converter.toKey(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Key expression '" + expression.text() + "' of "
					+ metadata.operation().describe() + ": " + ex.getMessage(), ex);
		}
	}

}
