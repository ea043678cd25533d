package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeyExpressionParser} recognises expressions that only name a parameter, so that
 * their calls skip SpEL, and leaves everything else to SpEL; it reports expressions that
 * cannot work.
 */
class KeyExpressionParserTests {

	private final KeyExpressionParser parser = new KeyExpressionParser(null);

	private final List<String> problems = new ArrayList<>();

	@Test
	void parameterReferencesByNameAndPositionAreArgumentIndexes() {
		Method method = method("pay");
		assertThat(parse("#account", method).argument()).isZero();
		assertThat(parse("#amount", method).argument()).isOne();
		assertThat(parse("#p1", method).argument()).isOne();
		assertThat(parse("#a0", method).argument()).isZero();
		assertThat(this.problems).isEmpty();
	}

	@Test
	void anythingMoreThanAParameterReferenceIsLeftToSpel() {
		Method method = method("pay");
		for (String text : List.of("#account.length()", "#root.args[0]", "#root", "#this", "'fixed'", "#p0 + #p1",
				"@someBean")) {
			KeyExpression expression = parse(text, method);
			assertThat(expression.isArgumentReference()).as(text).isFalse();
			assertThat(expression.expression()).as(text).isNotNull();
		}
		assertThat(this.problems).isEmpty();
	}

	/**
	 * MethodBasedEvaluationContext sets a parameter's name after its index names
	 * ({@code a0}, {@code p0}), so the name wins a clash.
	 */
	@Test
	void parameterNamedLikeAPositionWinsAsInSpel() {
		assertThat(parse("#p0", method("clash")).argument()).isOne();
		assertThat(parse("#a0", method("clash")).argument()).isZero();
	}

	/** A parameter called root is not what #root means. */
	@Test
	void rootIsNeverAParameterReference() {
		KeyExpression expression = parse("#root", method("rooted"));
		assertThat(expression.isArgumentReference()).isFalse();
	}

	@Test
	void unknownVariableAndUnparsableTextAreProblemsNamingTheAttribute() {
		Method method = method("pay");
		assertThat(this.parser.parse("on[0]", "#acount", method, this.problems)).isNull();
		assertThat(this.parser.parse("on[1]", "#account +", method, this.problems)).isNull();
		assertThat(this.parser.parse("all[0]", " ", method, this.problems)).isNull();
		assertThat(this.problems).hasSize(3);
		assertThat(this.problems.get(0))
			.startsWith("on[0] '#acount' refers to #acount, which is not a parameter of pay")
			.endsWith("its parameters are #account or #p0, #amount or #p1");
		assertThat(this.problems.get(1)).startsWith("on[1] '#account +' does not parse");
		assertThat(this.problems.get(2)).startsWith("all[0] is empty");
	}

	private KeyExpression parse(String text, Method method) {
		KeyExpression expression = this.parser.parse("on[0]", text, method, this.problems);
		assertThat(expression).as(text).isNotNull();
		assertThat(expression.text()).isEqualTo(text);
		return expression;
	}

	private static Method method(String name) {
		for (Method method : ReflectionUtils.getAllDeclaredMethods(Service.class)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	static class Service {

		public void pay(String account, long amount) {
		}

		public void clash(String first, String p0) {
		}

		public void rooted(String root) {
		}

	}

}
