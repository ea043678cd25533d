package dev.automutex.sample.aspectj;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample, started as its {@code main} does (with the build's agent), prints ten
 * apples received and ten shipped of twelve orders, through calls from inside
 * {@link StockRoom}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AspectJSampleApplicationTests {

	@Test
	void receivesTenAndShipsTenOfTwelveOrders(CapturedOutput output) {
		try (ConfigurableApplicationContext context = SpringApplication.run(AspectJSampleApplication.class)) {
			assertThat(output).contains("StockRoom is not a proxy",
					"10 parallel receive() calls, each calling add() inside StockRoom: 10 apples in stock",
					"12 parallel ship() calls through the private take(): 10 shipped, 0 left");
		}
	}

}
