package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.nio.file.Path;

import dev.automutex.test.JavaSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link MutexOperationSource} on a class compiled without {@code -parameters} (here,
 * where the compiler helper of mutex-test-support is at hand).
 */
class MutexOperationSourceParameterNamesTests {

	private final MutexOperationSource source = new MutexOperationSource();

	@Test
	void withoutParameterNamesTheErrorSaysSoAndSuggestsPosition(@TempDir Path dir) {
		Class<?> compiled = JavaSources.compileWithoutParameters(dir, "NoParameterNames", """
				public class NoParameterNames {
					@dev.automutex.annotation.AutoMutex(on = "#transactionId")
					public void perform(String transactionId) { }
					@dev.automutex.annotation.AutoMutex(on = "#p0")
					public void positional(String transactionId) { }
				}
				""");
		Method method = ReflectionUtils.findMethod(compiled, "perform", String.class);
		assertThatIllegalStateException().isThrownBy(() -> this.source.getOperation(method, compiled))
			.withMessageContaining("NoParameterNames.perform(String)")
			.withMessageContaining("-parameters")
			.withMessageContaining("'#p0'");
		Method positional = ReflectionUtils.findMethod(compiled, "positional", String.class);
		assertThat(this.source.getOperation(positional, compiled)).isNotNull();
	}

}
