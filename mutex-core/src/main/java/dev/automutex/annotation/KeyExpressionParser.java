package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.BeanResolver;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.StringUtils;

/**
 * Parser of the {@code on} and {@code all} expressions of {@link AutoMutex} into
 * {@link KeyExpression}s, once per method and class, at startup. Checks that an
 * expression parses and names only parameters the method has, and recognises an
 * expression that is just a parameter reference ({@code #id}, {@code #p0}, {@code #a0})
 * so that evaluating it is reading the argument array.
 * <p>
 * Parameters are named as
 * {@link org.springframework.context.expression.MethodBasedEvaluationContext} names them,
 * so both ways of evaluating give the same value. SpEL compilation follows
 * {@code spring.expression.compiler.mode}, as in Spring's cache abstraction. Thread-safe.
 */
final class KeyExpressionParser {

	private final SpelExpressionParser parser = new SpelExpressionParser();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final @Nullable BeanResolver beanResolver;

	KeyExpressionParser(@Nullable BeanResolver beanResolver) {
		this.beanResolver = beanResolver;
	}

	/**
	 * Parse one expression.
	 * @param attribute the attribute and position, such as {@code on[0]}, for messages
	 * @param text the expression
	 * @param method the annotated method, on the user class
	 * @param problems where problems are added
	 * @return the expression, or {@code null} if a problem was added
	 */
	@Nullable KeyExpression parse(String attribute, String text, Method method, List<String> problems) {
		if (!StringUtils.hasText(text)) {
			problems.add(attribute + " is empty; give a SpEL expression such as '#p0', or remove it");
			return null;
		}
		SpelExpression expression;
		try {
			expression = this.parser.parseRaw(text);
		}
		catch (ParseException ex) {
			problems.add(attribute + " '" + text + "' does not parse: " + ex.getMessage());
			return null;
		}
		String @Nullable [] names = this.parameterNames.getParameterNames(method);
		Map<String, Integer> arguments = arguments(method, names);
		int found = problems.size();
		List<String> variables = new ArrayList<>();
		collectVariables(expression.getAST(), variables);
		for (String variable : variables) {
			if (!arguments.containsKey(variable) && !isRootOrThis(variable)) {
				problems.add(unknownVariable(attribute, text, variable, method, names));
			}
		}
		if (problems.size() > found) {
			return null;
		}
		if (expression.getAST() instanceof VariableReference reference && reference.getChildCount() == 0) {
			String name = variableName(reference);
			Integer index = arguments.get(name);
			if (index != null && !isRootOrThis(name)) {
				return KeyExpression.argument(text, index);
			}
		}
		return KeyExpression.spel(text, expression, this.beanResolver);
	}

	/**
	 * The variables under which MethodBasedEvaluationContext exposes each argument:
	 * {@code a} and {@code p} followed by its index ({@code a0}, {@code p0}) and the
	 * parameter's name, set in that order, parameter by parameter, so a later one wins a
	 * clash.
	 * @param method the annotated method
	 * @param names the method's parameter names, or {@code null} if not known
	 * @return the index of the argument under each variable name
	 */
	private static Map<String, Integer> arguments(Method method, String @Nullable [] names) {
		Map<String, Integer> arguments = new HashMap<>();
		for (int i = 0; i < method.getParameterCount(); i++) {
			arguments.put("a" + i, i);
			arguments.put("p" + i, i);
			if (names != null && names[i] != null) {
				arguments.put(names[i], i);
			}
		}
		return arguments;
	}

	private static boolean isRootOrThis(String variable) {
		return variable.equals("root") || variable.equals("this");
	}

	private static String variableName(SpelNode reference) {
		String text = reference.toStringAST();
		return text.startsWith("#") ? text.substring(1) : text;
	}

	private static void collectVariables(SpelNode node, List<String> variables) {
		if (node instanceof VariableReference) {
			variables.add(variableName(node));
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			collectVariables(node.getChild(i), variables);
		}
	}

	private static String unknownVariable(String attribute, String text, String variable, Method method,
			String @Nullable [] names) {
		if (names == null && method.getParameterCount() > 0) {
			return attribute + " '" + text + "' refers to #" + variable + ", but parameter names of " + method.getName()
					+ " are not available because its class was compiled without -parameters; compile with "
					+ "-parameters (Maven: <parameters>true</parameters> in maven-compiler-plugin; Gradle: "
					+ "options.compilerArgs << '-parameters') or refer to the argument by position, such as '#p0'";
		}
		return attribute + " '" + text + "' refers to #" + variable + ", which is not a parameter of "
				+ method.getName() + "; its parameters are " + describeParameters(method, names);
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

}
