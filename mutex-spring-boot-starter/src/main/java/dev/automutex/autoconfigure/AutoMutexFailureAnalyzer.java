package dev.automutex.autoconfigure;

import dev.automutex.annotation.InvalidAutoMutexException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * {@link org.springframework.boot.diagnostics.FailureAnalyzer FailureAnalyzer} for an
 * {@link InvalidAutoMutexException}: Spring Boot's "APPLICATION FAILED TO START" report
 * with every invalid {@code @AutoMutex} method and what is wrong with it, instead of a
 * long stack trace.
 */
class AutoMutexFailureAnalyzer extends AbstractFailureAnalyzer<InvalidAutoMutexException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidAutoMutexException cause) {
		StringBuilder description = new StringBuilder("Invalid @AutoMutex use:");
		for (String line : cause.getMessage().split("\n")) {
			description.append(String.format("%n\t- %s", line));
		}
		String action = "Fix each method named above as its message says. Durations are text such as '500ms', '2s' or "
				+ "'${my.block:1s}'; key expressions are SpEL over the parameters ('#id', '#order.id'). In proxy mode, "
				+ "the default, an annotated method must be public and not final, and a call from inside its own class "
				+ "is not locked even then: call it from another bean, or lock self-calls and private methods with "
				+ "@EnableAutoMutex(mode = AdviceMode.ASPECTJ) and AspectJ weaving (see README, Annotate and "
				+ "Self-calls).";
		return new FailureAnalysis(description.toString(), action, cause);
	}

}
