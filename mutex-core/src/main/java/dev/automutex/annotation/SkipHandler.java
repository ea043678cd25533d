package dev.automutex.annotation;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MutexFailureHandler#SKIP}: a busy key skips the call, quietly.
 */
final class SkipHandler implements MutexFailureHandler {

	static final SkipHandler INSTANCE = new SkipHandler();

	private static final Logger logger = LoggerFactory.getLogger(SkipHandler.class);

	private SkipHandler() {
	}

	@Override
	public @Nullable Object onFailure(MutexFailure failure) {
		if (logger.isDebugEnabled()) {
			logger.debug("Skipped {}: {} is held elsewhere", failure.method(), failure.keys());
		}
		return null;
	}

}
