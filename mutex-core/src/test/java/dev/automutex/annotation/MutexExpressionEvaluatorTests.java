package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MutexExpressionEvaluator} gives, for every kind of key expression, the value
 * SpEL gives in a {@link MethodBasedEvaluationContext}: by reading the argument for a
 * parameter reference, and by SpEL (with {@code #root} and bean references) for anything
 * else.
 */
class MutexExpressionEvaluatorTests {

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	private final KeyExpressionParser parser = new KeyExpressionParser(new BeanFactoryResolver(this.beanFactory));

	private final MutexExpressionEvaluator evaluator = new MutexExpressionEvaluator();

	private final Service target = new Service();

	MutexExpressionEvaluatorTests() {
		this.beanFactory.registerSingleton("region", "east");
	}

	@Test
	void parameterReferencesGiveTheArgumentAsSpelDoes() {
		Method method = method("book");
		Object[] args = { new Order(new Room(5)), "north", null };
		for (String text : List.of("#order", "#wing", "#p0", "#p1", "#a0", "#a1", "#note", "#p2")) {
			KeyExpression expression = parse(text, method);
			assertThat(expression.isArgumentReference()).as(text).isTrue();
			assertThat(evaluate(expression, method, args)).as(text).isEqualTo(spel(text, method, args));
		}
		assertThat(evaluate(parse("#order", method), method, args)).isSameAs(args[0]);
		assertThat(evaluate(parse("#note", method), method, args)).isNull();
	}

	@Test
	void clashingParameterNameGivesTheSameArgumentAsSpel() {
		Method method = method("clash");
		Object[] args = { "first", "second" };
		for (String text : List.of("#p0", "#a0", "#p1", "#first")) {
			assertThat(evaluate(parse(text, method), method, args)).as(text).isEqualTo(spel(text, method, args));
		}
		assertThat(evaluate(parse("#p0", method), method, args)).isEqualTo("second");
	}

	@Test
	void otherExpressionsAreEvaluatedBySpel() {
		Method method = method("book");
		Object[] args = { new Order(new Room(5)), "north", "late" };
		assertThat(evaluate(parse("#order.room().id()", method), method, args)).isEqualTo(5L)
			.isEqualTo(spel("#order.room().id()", method, args));
		assertThat(evaluate(parse("#wing + '-' + #p2", method), method, args)).isEqualTo("north-late");
		assertThat(evaluate(parse("#root.args[1]", method), method, args)).isEqualTo("north");
		assertThat(evaluate(parse("#root.method.name", method), method, args)).isEqualTo("book");
		assertThat(evaluate(parse("#root.methodName", method), method, args)).isEqualTo("book");
		assertThat(evaluate(parse("#root.target", method), method, args)).isSameAs(this.target);
		assertThat(evaluate(parse("#root.targetClass.simpleName", method), method, args)).isEqualTo("Service");
		assertThat(evaluate(parse("@region", method), method, args)).isEqualTo("east");
	}

	private KeyExpression parse(String text, Method method) {
		List<String> problems = new ArrayList<>();
		KeyExpression expression = this.parser.parse("on[0]", text, method, problems);
		assertThat(problems).isEmpty();
		assertThat(expression).isNotNull();
		return expression;
	}

	private @Nullable Object evaluate(KeyExpression expression, Method method, Object[] args) {
		return this.evaluator.evaluate(expression, method, Service.class, args, this.target);
	}

	/**
	 * What Spring's own method-based evaluation gives, as the cache abstraction evaluates
	 * its keys.
	 */
	private @Nullable Object spel(String text, Method method, Object[] args) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(this.target, method, args,
				new DefaultParameterNameDiscoverer());
		return new SpelExpressionParser().parseExpression(text).getValue(context);
	}

	private static Method method(String name) {
		for (Method method : ReflectionUtils.getAllDeclaredMethods(Service.class)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	public record Room(long id) {
	}

	public record Order(Room room) {
	}

	static class Service {

		public void book(Order order, String wing, @Nullable String note) {
		}

		public void clash(String first, String p0) {
		}

	}

}
