package dev.automutex.sample.aspectj;

import dev.automutex.annotation.EnableAutoMutex;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.AdviceMode;

/**
 * {@code @AutoMutex} in AspectJ mode: {@link StockRoom}'s public methods call its own
 * {@code @AutoMutex} methods, one of them private, and every call is locked. Run with the
 * AspectJ agent:
 * {@code java -javaagent:samples/aspectj/target/aspectjweaver.jar -jar samples/aspectj/target/aspectj-sample.jar}.
 * Without the agent it does not start: the startup check reports each method that AspectJ
 * did not weave.
 */
@SpringBootApplication
@EnableAutoMutex(mode = AdviceMode.ASPECTJ)
public class AspectJSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(AspectJSampleApplication.class, args);
	}

}
