package dev.automutex.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one group of the bad-input battery found: how many inputs gave a clear error, how
 * many a correct lock, which misbehaved and why, and which Redis keys were left behind.
 */
final class BadInputTally {

	private static final String ERROR = "clear error";

	private static final String LOCK = "correct lock";

	private final String group;

	/** Outcome per input: a clear error, a correct lock, or why it misbehaved. */
	private final Map<String, String> outcomes = new LinkedHashMap<>();

	private final Set<String> leftKeys = new LinkedHashSet<>();

	private final List<String> notes = new ArrayList<>();

	BadInputTally(String group) {
		this.group = group;
	}

	String group() {
		return this.group;
	}

	void clearError(String input) {
		this.outcomes.putIfAbsent(input, ERROR);
	}

	void correctLock(String input) {
		this.outcomes.putIfAbsent(input, LOCK);
	}

	/**
	 * Record that an input misbehaved; this outcome wins over any other of the input.
	 * @param input the input
	 * @param why what went wrong
	 */
	void misbehaved(String input, String why) {
		String previous = this.outcomes.get(input);
		boolean first = previous == null || previous == ERROR || previous == LOCK;
		this.outcomes.put(input, first ? why : previous + ", " + why);
	}

	/**
	 * Record keys found in Redis after an input, which count against the group even when
	 * the input itself behaved.
	 * @param input the input
	 * @param keys the keys left
	 */
	void leftInRedis(String input, List<String> keys) {
		if (!keys.isEmpty()) {
			this.leftKeys.addAll(keys);
			this.notes.add(input + " left " + keys);
		}
	}

	/**
	 * A fact worth printing beside the counts (how long the 1 MB key took, which
	 * exception an interrupted waiter got).
	 * @param note the fact
	 */
	void note(String note) {
		this.notes.add(note);
	}

	boolean held() {
		return misbehaved().isEmpty() && this.leftKeys.isEmpty();
	}

	String summary() {
		long errors = this.outcomes.values().stream().filter((outcome) -> outcome == ERROR).count();
		long locks = this.outcomes.values().stream().filter((outcome) -> outcome == LOCK).count();
		StringBuilder summary = new StringBuilder(
				String.format("%d of %d inputs: %d clear errors, %d correct locks; %d keys left in Redis",
						errors + locks, this.outcomes.size(), errors, locks, this.leftKeys.size()));
		List<String> misbehaved = misbehaved();
		if (!misbehaved.isEmpty()) {
			summary.append("; MISBEHAVED: ").append(String.join("; ", misbehaved));
		}
		if (!this.notes.isEmpty()) {
			summary.append("; ").append(String.join("; ", this.notes));
		}
		return summary.toString();
	}

	private List<String> misbehaved() {
		List<String> misbehaved = new ArrayList<>();
		this.outcomes.forEach((input, outcome) -> {
			if (outcome != ERROR && outcome != LOCK) {
				misbehaved.add(input + ": " + outcome);
			}
		});
		return misbehaved;
	}

}
