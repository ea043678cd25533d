package dev.automutex.annotation;

import org.jspecify.annotations.Nullable;

import org.springframework.expression.BeanResolver;
import org.springframework.expression.Expression;
import org.springframework.util.Assert;

/**
 * One checked {@code on} or {@code all} expression of an {@link AutoMutex}, parsed once
 * by {@link KeyExpressionParser}: either a plain reference to an argument ({@code #id},
 * {@code #p0}, {@code #a0}), which {@link MutexExpressionEvaluator} reads from the
 * argument array without SpEL, or a parsed SpEL expression.
 *
 * @param text the expression as written, for messages
 * @param argument the index of the argument the expression names, or {@code -1} for a
 * SpEL expression
 * @param expression the parsed expression, or {@code null} for an argument reference
 * @param beanResolver what {@code @bean} references resolve against, or {@code null}
 * without a bean factory
 */
record KeyExpression(String text, int argument, @Nullable Expression expression, @Nullable BeanResolver beanResolver) {

	KeyExpression {
		Assert.isTrue((argument >= 0) == (expression == null), "either an argument or an expression");
	}

	static KeyExpression argument(String text, int index) {
		return new KeyExpression(text, index, null, null);
	}

	static KeyExpression spel(String text, Expression expression, @Nullable BeanResolver beanResolver) {
		return new KeyExpression(text, -1, expression, beanResolver);
	}

	boolean isArgumentReference() {
		return this.argument >= 0;
	}

}
