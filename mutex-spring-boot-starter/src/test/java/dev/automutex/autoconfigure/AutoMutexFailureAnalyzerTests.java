package dev.automutex.autoconfigure;

import dev.automutex.annotation.AutoMutex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An invalid {@code @AutoMutex} stops the application with Spring Boot's failure report
 * (Description naming each method and attribute, Action), not a long stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class AutoMutexFailureAnalyzerTests {

	@Test
	void invalidAnnotationsAreReportedWithTheFix(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(BadApplication.class).web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "mutex.store=local")
				.run()
				.close());
		assertThat(output).contains("APPLICATION FAILED TO START", "Invalid @AutoMutex use:", "Reports.monthly()",
				"block", "'soon'", "Reports.nightly()", "private",
				"call it from another bean (a call from inside the same class does not go through the proxy, so it is "
						+ "not locked even when the method is public)",
				"@EnableAutoMutex(mode = AdviceMode.ASPECTJ)", "Action:", "Durations are text such as '500ms'",
				"a call from inside its own class is not locked even then");
		assertThat(output.toString().lines().filter((line) -> line.startsWith("\tat ")).count()).as("no stack trace")
			.isZero();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Reports.class)
	static class BadApplication {

	}

	public static class Reports {

		@AutoMutex(block = "soon")
		public void monthly() {
		}

		@AutoMutex
		private void nightly() {
		}

	}

}
