package dev.automutex.annotation;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration text of {@link AutoMutex#block()} and {@link AutoMutex#expire()}:
 * simple form with a unit ({@code 0s}, {@code 500ms}, {@code 2m}) or ISO-8601
 * ({@code PT2S}). A bare number is rejected: the seeds mean seconds, Spring Boot means
 * milliseconds, and guessing would be wrong for someone.
 */
final class DurationText {

	private static final Pattern SIMPLE = Pattern.compile("^([+-]?\\d+)\\s*(ns|us|ms|s|m|h|d)$",
			Pattern.CASE_INSENSITIVE);

	private DurationText() {
	}

	static Duration parse(String text) {
		String value = text.trim();
		if (value.isEmpty()) {
			throw new IllegalArgumentException("is empty");
		}
		if (value.toUpperCase(Locale.ROOT).matches("^[+-]?P.*")) {
			try {
				return Duration.parse(value);
			}
			catch (DateTimeParseException ex) {
				throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration (such as PT2S)");
			}
		}
		Matcher matcher = SIMPLE.matcher(value);
		if (!matcher.matches()) {
			String hint = value.matches("^[+-]?\\d+$") ? " (it has no unit: write " + value + "s or " + value + "ms)"
					: "";
			throw new IllegalArgumentException("'" + text + "' is not a duration" + hint
					+ "; use a number with a unit (500ms, 2s, 1m) or ISO-8601 (PT2S)");
		}
		long amount = Long.parseLong(matcher.group(1));
		return Duration.of(amount, unit(matcher.group(2).toLowerCase(Locale.ROOT)));
	}

	private static ChronoUnit unit(String suffix) {
		return switch (suffix) {
			case "ns" -> ChronoUnit.NANOS;
			case "us" -> ChronoUnit.MICROS;
			case "ms" -> ChronoUnit.MILLIS;
			case "s" -> ChronoUnit.SECONDS;
			case "m" -> ChronoUnit.MINUTES;
			case "h" -> ChronoUnit.HOURS;
			default -> ChronoUnit.DAYS;
		};
	}

}
