package dev.automutex.annotation;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * Resolver of the text attributes of {@link AutoMutex} that take placeholders:
 * {@code block} and {@code expire} (durations, see {@link DurationText}) and
 * {@code renew} ({@code true} or {@code false}). Placeholders ({@code ${...}}) and
 * {@code #{...}} expressions are resolved by the bean factory's
 * {@link EmbeddedValueResolver}; without a configurable bean factory the text is taken as
 * it is. A value that cannot be used adds a problem naming the attribute, the text and
 * what it resolved to.
 */
final class MutexAttributeResolver {

	private final @Nullable StringValueResolver embeddedValues;

	MutexAttributeResolver(@Nullable BeanFactory beanFactory) {
		this.embeddedValues = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? new EmbeddedValueResolver(configurable) : null;
	}

	/**
	 * Resolve a duration attribute.
	 * @param attribute the attribute name, for messages
	 * @param text the attribute's text
	 * @param zeroAllowed whether zero is a valid value
	 * @param problems where problems are added
	 * @return the duration, or {@code null} if the text is empty or a problem was added
	 */
	@Nullable Duration duration(String attribute, String text, boolean zeroAllowed, List<String> problems) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		String resolved = text;
		try {
			resolved = resolve(text);
			Duration duration = DurationText.parse(resolved);
			if (duration.isNegative() || (!zeroAllowed && duration.isZero())) {
				problems.add(attribute + " '" + text + "' must be " + (zeroAllowed ? "zero or positive" : "positive"));
				return null;
			}
			return duration;
		}
		catch (IllegalArgumentException ex) {
			problems.add(attribute + " " + shown(text, resolved) + " is not valid: " + ex.getMessage());
			return null;
		}
	}

	/**
	 * Resolve a boolean attribute.
	 * @param attribute the attribute name, for messages
	 * @param text the attribute's text
	 * @param problems where problems are added
	 * @return the value, or {@code null} if the text is empty or a problem was added
	 */
	@Nullable Boolean bool(String attribute, String text, List<String> problems) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		String resolved;
		try {
			resolved = resolve(text).trim();
		}
		catch (IllegalArgumentException ex) {
			problems.add(attribute + " '" + text + "' is not valid: " + ex.getMessage());
			return null;
		}
		if (resolved.equalsIgnoreCase("true")) {
			return true;
		}
		if (resolved.equalsIgnoreCase("false")) {
			return false;
		}
		problems.add(attribute + " " + shown(text, resolved) + " is not true or false");
		return null;
	}

	private String resolve(String text) {
		if (this.embeddedValues == null) {
			return text;
		}
		String value = this.embeddedValues.resolveStringValue(text);
		return (value != null) ? value : text;
	}

	private static String shown(String text, String resolved) {
		return resolved.equals(text) ? "'" + text + "'" : "'" + text + "' (resolved to '" + resolved + "')";
	}

}
