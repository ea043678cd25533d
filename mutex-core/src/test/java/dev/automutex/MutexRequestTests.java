package dev.automutex;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link MutexRequest}: settings are checked where they are written, and what is not
 * given is left to the template.
 */
class MutexRequestTests {

	@Test
	void settingsNotGivenAreLeftToTheTemplate() {
		MutexRequest request = MutexRequest.of("k");
		assertThat(request.getKeys()).isEqualTo(List.of("k"));
		assertThat(request.isAll()).isFalse();
		assertThat(request.getBlock()).isNull();
		assertThat(request.getExpire()).isNull();
		assertThat(request.getRenew()).isEmpty();
	}

	@Test
	void eachSettingMakesANewRequest() {
		MutexRequest plain = MutexRequest.ofAll(List.of("a", "b"));
		MutexRequest set = plain.block(Duration.ZERO).expire(Duration.ofSeconds(5)).renew(false);
		assertThat(plain.getBlock()).isNull();
		assertThat(set.isAll()).isTrue();
		assertThat(set.getKeys()).isEqualTo(List.of("a", "b"));
		assertThat(set.getBlock()).isZero();
		assertThat(set.getExpire()).isEqualTo(Duration.ofSeconds(5));
		assertThat(set.getRenew()).contains(false);
	}

	@Test
	void wrongValuesAreRefusedWhereTheyAreWrittenNamingTheArgument() {
		assertThatIllegalArgumentException().isThrownBy(() -> MutexRequest.of(null)).withMessageContaining("null");
		assertThatIllegalArgumentException().isThrownBy(() -> MutexRequest.ofAll(List.of()))
			.withMessageContaining("empty");
		assertThatIllegalArgumentException().isThrownBy(() -> MutexRequest.of("k").block(Duration.ofMillis(-1)))
			.withMessageContaining("block");
		assertThatIllegalArgumentException().isThrownBy(() -> MutexRequest.of("k").expire(Duration.ofNanos(500_000)))
			.withMessageContaining("expire")
			.withMessageContaining("1ms");
	}

}
