package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Parser of {@link AutoMutex}: turns the annotation on one method of one class into a
 * checked {@link MutexOperation} and the {@link MutexOperationMetadata} its calls use.
 * Every problem of the method is collected into one {@link IllegalStateException} whose
 * message names the class, the method and each attribute at fault. Delegates the key
 * expressions to {@link KeyExpressionParser}, placeholders, durations and booleans to
 * {@link MutexAttributeResolver}, and the method's shape to {@link MutexMethodCheck}.
 * <p>
 * Thread-safe.
 */
final class MutexAnnotationParser {

	private final @Nullable BeanFactory beanFactory;

	private final MutexAttributeResolver attributes;

	private final KeyExpressionParser expressions;

	private final AdviceMode mode;

	/**
	 * Create a parser.
	 * @param beanFactory where placeholders, {@code @bean} references and failure
	 * handlers are resolved, or {@code null} outside a container
	 * @param mode how the annotation is applied, for the checks of the method's shape
	 */
	MutexAnnotationParser(@Nullable BeanFactory beanFactory, AdviceMode mode) {
		this.beanFactory = beanFactory;
		this.mode = mode;
		this.attributes = new MutexAttributeResolver(beanFactory);
		this.expressions = new KeyExpressionParser((beanFactory != null) ? new BeanFactoryResolver(beanFactory) : null);
	}

	/**
	 * Parse the {@link AutoMutex} of a method.
	 * @param method the method, on the user class (the most specific method)
	 * @param targetClass the user class
	 * @return the metadata, or {@code null} if the method has no {@code @AutoMutex}
	 * @throws InvalidAutoMutexException naming every problem of the annotation
	 */
	@Nullable MutexOperationMetadata parse(Method method, Class<?> targetClass) {
		AutoMutex annotation = AnnotatedElementUtils.findMergedAnnotation(method, AutoMutex.class);
		if (annotation == null) {
			return null;
		}
		List<String> problems = new ArrayList<>();
		MutexMethodCheck.check(method, targetClass, this.mode, problems);
		List<KeyExpression> on = expressions("on", annotation.on(), method, problems);
		List<KeyExpression> all = expressions("all", annotation.all(), method, problems);
		if (annotation.on().length > 0 && annotation.all().length > 0) {
			problems.add("on and all are both given; use on for one key made of all the values, or all for one "
					+ "key per value, not both");
		}
		Duration block = this.attributes.duration("block", annotation.block(), true, problems);
		Duration expire = this.attributes.duration("expire", annotation.expire(), false, problems);
		Duration holdAtLeast = this.attributes.duration("holdAtLeast", annotation.holdAtLeast(), true, problems);
		String afterFailure = StringUtils.hasText(annotation.afterFailure()) ? annotation.afterFailure().trim() : null;
		if (afterFailure != null) {
			checkFailureHandler(afterFailure, problems);
			Class<?> returnType = method.getReturnType();
			if (MutexFailureHandler.SKIP.equals(afterFailure) && returnType.isPrimitive() && returnType != void.class) {
				problems.add("afterFailure MutexFailureHandler.SKIP returns null, which a method returning "
						+ returnType.getName() + " cannot return; return void or an object, or name a "
						+ "MutexFailureHandler bean of your own");
			}
		}
		int tokenParameter = tokenParameter(method, annotation.all().length > 0, problems);
		Boolean renew = this.attributes.bool("renew", annotation.renew(), problems);
		if (!problems.isEmpty()) {
			throw new InvalidAutoMutexException(
					"Invalid " + MutexOperation.describe(method, targetClass) + ": " + String.join("; ", problems));
		}
		String name = StringUtils.hasText(annotation.name()) ? annotation.name().trim()
				: targetClass.getSimpleName() + "#" + method.getName();
		MutexOperation operation = new MutexOperation(method, targetClass, name, texts(on), texts(all), block, expire,
				afterFailure, tokenParameter, renew, holdAtLeast);
		return new MutexOperationMetadata(operation, on.toArray(KeyExpression[]::new),
				all.toArray(KeyExpression[]::new), failureHandler(afterFailure));
	}

	private List<KeyExpression> expressions(String attribute, String[] texts, Method method, List<String> problems) {
		List<KeyExpression> parsed = new ArrayList<>(texts.length);
		for (int i = 0; i < texts.length; i++) {
			KeyExpression expression = this.expressions.parse(attribute + "[" + i + "]", texts[i], method, problems);
			if (expression != null) {
				parsed.add(expression);
			}
		}
		return parsed;
	}

	private static List<String> texts(List<KeyExpression> expressions) {
		return expressions.stream().map(KeyExpression::text).toList();
	}

	private void checkFailureHandler(String beanName, List<String> problems) {
		BeanFactory beanFactory = this.beanFactory;
		if (MutexFailureHandler.SKIP.equals(beanName)) {
			return;
		}
		if (beanFactory == null) {
			problems.add("afterFailure '" + beanName + "' names a bean, but there is no BeanFactory to find it in");
		}
		else if (!beanFactory.containsBean(beanName)) {
			problems.add("afterFailure '" + beanName + "' names no bean; declare a MutexFailureHandler bean named '"
					+ beanName + "'");
		}
		else if (!beanFactory.isTypeMatch(beanName, MutexFailureHandler.class)) {
			Class<?> type = beanFactory.getType(beanName);
			problems.add(
					"afterFailure '" + beanName + "' is a " + ((type != null) ? type.getName() : "bean of unknown type")
							+ ", not a " + MutexFailureHandler.class.getName());
		}
	}

	/**
	 * The handler, looked up at the first failure rather than here: the proxies are
	 * created while the context starts, and the handler bean may not be ready yet.
	 * @param beanName the name of the handler bean, or {@code null} for none
	 * @return a supplier of the handler bean, or {@code null} for none
	 */
	private @Nullable Supplier<MutexFailureHandler> failureHandler(@Nullable String beanName) {
		BeanFactory beanFactory = this.beanFactory;
		if (MutexFailureHandler.SKIP.equals(beanName)) {
			return () -> MutexFailureHandler.skip();
		}
		if (beanName == null || beanFactory == null) {
			return null;
		}
		return SingletonSupplier.of(() -> beanFactory.getBean(beanName, MutexFailureHandler.class));
	}

	private static int tokenParameter(Method method, boolean severalKeys, List<String> problems) {
		int found = -1;
		Parameter[] parameters = method.getParameters();
		for (int i = 0; i < parameters.length; i++) {
			if (!parameters[i].isAnnotationPresent(FencingToken.class)) {
				continue;
			}
			Class<?> type = parameters[i].getType();
			if (type != long.class && type != Long.class) {
				problems.add("@FencingToken parameter " + i + " is a " + type.getSimpleName() + "; it must be a long");
			}
			else if (found >= 0) {
				problems.add("@FencingToken is on more than one parameter");
			}
			else if (severalKeys) {
				problems.add("@FencingToken needs one key, but all locks several; each has its own token");
			}
			found = i;
		}
		return found;
	}

}
