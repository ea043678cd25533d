package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.AnnotatedElementKey;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.CachedExpressionEvaluator;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;

/**
 * Evaluates the {@code on} expressions of {@link AutoMutex}, each parsed once per method and class. Arguments
 * are visible by name ({@code #transactionId}, with {@code -parameters}) and by position ({@code #p0},
 * {@code #a0}); {@code #root} has {@code method}, {@code args}, {@code target} and {@code targetClass}.
 */
class MutexExpressionEvaluator extends CachedExpressionEvaluator {

	private final Map<ExpressionKey, Expression> expressions = new ConcurrentHashMap<>(64);

	Expression parse(String expression, Method method, Class<?> targetClass) {
		return getExpression(this.expressions, new AnnotatedElementKey(method, targetClass), expression);
	}

	@Nullable Object evaluate(String expression, Method method, Class<?> targetClass, @Nullable Object[] args,
			Object target, @Nullable BeanFactory beanFactory) {
		RootObject root = new RootObject(method, args, target, targetClass);
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(root, method, args,
				getParameterNameDiscoverer());
		if (beanFactory != null) {
			context.setBeanResolver(new BeanFactoryResolver(beanFactory));
		}
		return parse(expression, method, targetClass).getValue(context);
	}

	ParameterNameDiscoverer parameterNames() {
		return getParameterNameDiscoverer();
	}

	/**
	 * The {@code #root} object of an {@code on} expression.
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
