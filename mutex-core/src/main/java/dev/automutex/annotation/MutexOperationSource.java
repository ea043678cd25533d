package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link AutoMutex} on a method and turns it into a checked {@link MutexOperation}, once per method and
 * class. Checking happens here, so it happens when the proxy for a bean is created (that is, at startup for
 * singletons): an {@code on} expression that does not parse or names a parameter the method lacks, a
 * {@code block}/{@code expire} that is not a duration, an {@code afterFailure} that is not a
 * {@link MutexFailureHandler} bean, or a method a proxy cannot intercept, all throw
 * {@link IllegalStateException} naming the class, method and attribute.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class MutexOperationSource implements BeanFactoryAware {

	private static final Object NONE = new Object();

	private final Map<MethodClassKey, Object> cache = new ConcurrentHashMap<>(256);

	private final Set<Class<?>> validatedClasses = ConcurrentHashMap.newKeySet();

	private final MutexExpressionEvaluator evaluator = new MutexExpressionEvaluator();

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * The operation for a method called on an object of {@code targetClass}.
	 * @param method the method, possibly an interface method
	 * @param targetClass the class of the target object, or {@code null} for the method's declaring class
	 * @return the operation, or {@code null} if the method has no {@code @AutoMutex}
	 * @throws IllegalStateException if the annotation is invalid
	 */
	public @Nullable MutexOperation getOperation(Method method, @Nullable Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass((targetClass != null) ? targetClass : method.getDeclaringClass());
		MethodClassKey cacheKey = new MethodClassKey(method, userClass);
		Object cached = this.cache.get(cacheKey);
		if (cached == null) {
			// Check the whole class the first time it is seen: Spring stops matching a class at its first
			// advised method, and a mistake further down must still fail startup, not the first call.
			validate(userClass);
			cached = this.cache.computeIfAbsent(cacheKey, (key) -> {
				MutexOperation operation = parse(AopUtils.getMostSpecificMethod(method, userClass), userClass);
				return (operation != null) ? operation : NONE;
			});
		}
		return (cached != NONE) ? (MutexOperation) cached : null;
	}

	/**
	 * Check every {@link AutoMutex} method of a class, once per class.
	 * @param targetClass the class of a bean, possibly a CGLIB subclass
	 * @throws IllegalStateException naming every invalid method and attribute
	 */
	public void validate(Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		if (this.validatedClasses.contains(userClass) || !AnnotationUtils.isCandidateClass(userClass, AutoMutex.class)) {
			return;
		}
		List<String> problems = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(userClass, ReflectionUtils.USER_DECLARED_METHODS)) {
			try {
				MutexOperation operation = parse(method, userClass);
				this.cache.putIfAbsent(new MethodClassKey(method, userClass), (operation != null) ? operation : NONE);
			}
			catch (IllegalStateException ex) {
				problems.add(ex.getMessage());
			}
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException(String.join("\n", problems));
		}
		this.validatedClasses.add(userClass);
	}

	MutexExpressionEvaluator evaluator() {
		return this.evaluator;
	}

	@Nullable BeanFactory beanFactory() {
		return this.beanFactory;
	}

	private @Nullable MutexOperation parse(Method method, Class<?> targetClass) {
		AutoMutex annotation = AnnotatedElementUtils.findMergedAnnotation(method, AutoMutex.class);
		if (annotation == null) {
			return null;
		}
		List<String> problems = new ArrayList<>();
		int modifiers = method.getModifiers();
		if (Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers) || Modifier.isStatic(modifiers)) {
			problems.add("the method is " + (Modifier.isStatic(modifiers) ? "static"
					: Modifier.isPrivate(modifiers) ? "private" : "final")
					+ ", so a Spring proxy cannot intercept it and it would run unlocked; make it public and not final");
		}
		// With @Async, Spring's async advice runs first and hands the whole call, our lock included, to its
		// executor: the key is held on the worker thread for as long as the method body runs.
		if (isAsynchronous(method.getReturnType()) && !isAsyncMethod(method, targetClass)) {
			problems.add("the method returns a " + method.getReturnType().getSimpleName() + ", so the key would be "
					+ "released when the method returns it, while the asynchronous work may still run unprotected; "
					+ "make it an @Async method, or lock inside the asynchronous work (MutexTemplate.withLock or "
					+ "withLockAsync)");
		}
		List<String> on = List.of(annotation.on());
		for (int i = 0; i < on.size(); i++) {
			checkExpression("on[" + i + "]", on.get(i), method, targetClass, problems);
		}
		List<String> all = List.of(annotation.all());
		for (int i = 0; i < all.size(); i++) {
			checkExpression("all[" + i + "]", all.get(i), method, targetClass, problems);
		}
		if (!on.isEmpty() && !all.isEmpty()) {
			problems.add("on and all are both given; use on for one key made of all the values, or all for one "
					+ "key per value, not both");
		}
		Duration block = duration("block", annotation.block(), true, problems);
		Duration expire = duration("expire", annotation.expire(), false, problems);
		String afterFailure = StringUtils.hasText(annotation.afterFailure()) ? annotation.afterFailure().trim() : null;
		if (afterFailure != null) {
			checkFailureHandler(afterFailure, problems);
		}
		int tokenParameter = tokenParameter(method, !all.isEmpty(), problems);
		Boolean renew = renew(annotation.renew(), problems);
		if (!problems.isEmpty()) {
			throw new IllegalStateException(
					"Invalid " + MutexOperation.describe(method, targetClass) + ": " + String.join("; ", problems));
		}
		String name = StringUtils.hasText(annotation.name()) ? annotation.name().trim()
				: targetClass.getSimpleName() + "#" + method.getName();
		return new MutexOperation(method, targetClass, name, on, all, block, expire, afterFailure, tokenParameter,
				renew);
	}

	private @Nullable Boolean renew(String text, List<String> problems) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		String resolved = text;
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
			String value = configurable.resolveEmbeddedValue(text);
			resolved = (value != null) ? value.trim() : text;
		}
		if (resolved.equalsIgnoreCase("true")) {
			return true;
		}
		if (resolved.equalsIgnoreCase("false")) {
			return false;
		}
		problems.add("renew '" + text + "' is not true or false");
		return null;
	}

	private static int tokenParameter(Method method, boolean severalKeys, List<String> problems) {
		int found = -1;
		java.lang.reflect.Parameter[] parameters = method.getParameters();
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

	private static boolean isAsyncMethod(Method method, Class<?> targetClass) {
		return AnnotatedElementUtils.hasAnnotation(method, Async.class)
				|| AnnotatedElementUtils.hasAnnotation(targetClass, Async.class);
	}

	private static boolean isAsynchronous(Class<?> returnType) {
		return java.util.concurrent.Future.class.isAssignableFrom(returnType)
				|| java.util.concurrent.CompletionStage.class.isAssignableFrom(returnType)
				|| isOrImplements(returnType, "org.reactivestreams.Publisher");
	}

	private static boolean isOrImplements(@Nullable Class<?> type, String interfaceName) {
		if (type == null) {
			return false;
		}
		if (type.getName().equals(interfaceName)) {
			return true;
		}
		for (Class<?> implemented : type.getInterfaces()) {
			if (isOrImplements(implemented, interfaceName)) {
				return true;
			}
		}
		return isOrImplements(type.getSuperclass(), interfaceName);
	}

	private void checkExpression(String attribute, String text, Method method, Class<?> targetClass,
			List<String> problems) {
		if (!StringUtils.hasText(text)) {
			problems.add(attribute + " is empty; give a SpEL expression such as '#p0', or remove it");
			return;
		}
		Expression expression;
		try {
			expression = this.evaluator.parse(text, method, targetClass);
		}
		catch (ParseException ex) {
			problems.add(attribute + " '" + text + "' does not parse: " + ex.getMessage());
			return;
		}
		if (!(expression instanceof SpelExpression spel)) {
			return;
		}
		String[] names = this.evaluator.parameterNames().getParameterNames(method);
		Set<String> known = new HashSet<>(Set.of("root", "this"));
		for (int i = 0; i < method.getParameterCount(); i++) {
			known.add("p" + i);
			known.add("a" + i);
			if (names != null) {
				known.add(names[i]);
			}
		}
		List<String> variables = new ArrayList<>();
		collectVariables(spel.getAST(), variables);
		for (String variable : variables) {
			if (known.contains(variable)) {
				continue;
			}
			if (names == null && method.getParameterCount() > 0) {
				problems.add(attribute + " '" + text + "' refers to #" + variable + ", but parameter names of "
						+ method.getName() + " are not available because its class was compiled without -parameters; "
						+ "compile with -parameters (Maven: <parameters>true</parameters> in maven-compiler-plugin; "
						+ "Gradle: options.compilerArgs << '-parameters') or refer to the argument by position, "
						+ "such as '#p0'");
			}
			else {
				problems.add(attribute + " '" + text + "' refers to #" + variable + ", which is not a parameter of "
						+ method.getName() + "; its parameters are " + describeParameters(method, names));
			}
		}
	}

	private static void collectVariables(SpelNode node, List<String> variables) {
		if (node instanceof VariableReference) {
			String text = node.toStringAST();
			variables.add(text.startsWith("#") ? text.substring(1) : text);
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			collectVariables(node.getChild(i), variables);
		}
	}

	private static String describeParameters(Method method, String @Nullable [] names) {
		if (method.getParameterCount() == 0) {
			return "none";
		}
		List<String> parts = new ArrayList<>();
		for (int i = 0; i < method.getParameterCount(); i++) {
			parts.add(((names != null) ? "#" + names[i] + " or " : "") + "#p" + i);
		}
		return String.join(", ", parts);
	}

	private @Nullable Duration duration(String attribute, String text, boolean zeroAllowed, List<String> problems) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		String resolved = text;
		try {
			if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
				String value = configurable.resolveEmbeddedValue(text);
				resolved = (value != null) ? value : text;
			}
			Duration duration = DurationText.parse(resolved);
			if (duration.isNegative() || (!zeroAllowed && duration.isZero())) {
				problems.add(attribute + " '" + text + "' must be " + (zeroAllowed ? "zero or positive" : "positive"));
				return null;
			}
			return duration;
		}
		catch (IllegalArgumentException ex) {
			String shown = resolved.equals(text) ? "'" + text + "'" : "'" + text + "' (resolved to '" + resolved + "')";
			problems.add(attribute + " " + shown + " is not valid: " + ex.getMessage());
			return null;
		}
	}

	private void checkFailureHandler(String beanName, List<String> problems) {
		BeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null) {
			problems.add("afterFailure '" + beanName + "' names a bean, but there is no BeanFactory to find it in");
		}
		else if (!beanFactory.containsBean(beanName)) {
			problems.add("afterFailure '" + beanName + "' names no bean; declare a MutexFailureHandler bean named '"
					+ beanName + "'");
		}
		else if (!beanFactory.isTypeMatch(beanName, MutexFailureHandler.class)) {
			Class<?> type = beanFactory.getType(beanName);
			problems.add("afterFailure '" + beanName + "' is a " + ((type != null) ? type.getName() : "bean of unknown type")
					+ ", not a " + MutexFailureHandler.class.getName());
		}
	}

}
