package dev.automutex.sample.counter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seeds' counter: ten concurrent tasks each read a number from a file, add one and
 * write it back, under {@code @AutoMutex}. Prints {@code Total count is: 10}, then the
 * same without the lock. Runs on the local store; {@code --mutex.store=redis} runs it on
 * Redis (spring.data.redis.*, localhost:6379 by default).
 */
@SpringBootApplication
public class CounterApplication {

	public static void main(String[] args) {
		SpringApplication.run(CounterApplication.class, args);
	}

}
