package dev.automutex.annotation;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.BeanResolver;
import org.springframework.expression.Expression;

/**
 * Evaluator of the {@link KeyExpression}s of an {@link AutoMutex} call. A parameter
 * reference is the argument itself, read from the argument array; any other expression is
 * evaluated by SpEL in a {@link MethodBasedEvaluationContext}, where arguments are
 * visible by name ({@code #transactionId}, with {@code -parameters}) and by position
 * ({@code #p0}, {@code #a0}), {@code #root} has {@code method}, {@code methodName},
 * {@code args}, {@code target} and {@code targetClass}, and {@code @name} is a bean.
 * <p>
 * Thread-safe.
 */
final class MutexExpressionEvaluator {

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	/**
	 * The value of an expression for one call.
	 * @param expression the parsed expression
	 * @param method the annotated method, on the user class (the method the expression
	 * was parsed for)
	 * @param targetClass the user class
	 * @param args the arguments of the call
	 * @param target the bean whose method was called
	 * @return the value, possibly {@code null}
	 */
	@Nullable Object evaluate(KeyExpression expression, Method method, Class<?> targetClass, @Nullable Object[] args,
			Object target) {
		if (expression.isArgumentReference()) {
			return args[expression.argument()];
		}
		Expression spel = expression.expression();
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(
				new RootObject(method, args, target, targetClass), method, args, this.parameterNames);
		BeanResolver beanResolver = expression.beanResolver();
		if (beanResolver != null) {
			context.setBeanResolver(beanResolver);
		}
		return (spel != null) ? spel.getValue(context) : null;
	}

	/**
	 * The {@code #root} object of an {@code on} or {@code all} expression.
	 */
	static final class RootObject {

		private final Method method;

		private final @Nullable Object[] args;

		private final Object target;

		private final Class<?> targetClass;

		RootObject(Method method, @Nullable Object[] args, Object target, Class<?> targetClass) {
			this.method = method;
			this.args = args;
			this.target = target;
			this.targetClass = targetClass;
		}

		public Method getMethod() {
			return this.method;
		}

		public String getMethodName() {
			return this.method.getName();
		}

		public @Nullable Object[] getArgs() {
			return this.args;
		}

		public Object getTarget() {
			return this.target;
		}

		public Class<?> getTargetClass() {
			return this.targetClass;
		}

	}

}
