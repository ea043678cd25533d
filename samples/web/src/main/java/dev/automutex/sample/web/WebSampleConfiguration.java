package dev.automutex.sample.web;

import java.net.URI;

import dev.automutex.annotation.MutexFailureHandler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The verifier's failure handler ({@code after_failure}): a verification already running
 * for the transaction id is answered with 409 Conflict and a problem detail of its own.
 */
@Configuration(proxyBeanMethods = false)
public class WebSampleConfiguration {

	@Bean
	MutexFailureHandler verificationBusy() {
		return (failure) -> {
			String transactionId = String.valueOf(failure.arguments()[0]);
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
					"Transaction " + transactionId + " is being verified; try again when it is done");
			problem.setTitle("Verification in progress");
			problem.setType(URI.create("urn:web-sample:verification-in-progress"));
			problem.setProperty("transactionId", transactionId);
			throw new ErrorResponseException(HttpStatus.CONFLICT, problem, failure.exception());
		};
	}

}
