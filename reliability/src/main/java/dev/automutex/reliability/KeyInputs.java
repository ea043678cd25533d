package dev.automutex.reliability;

import java.time.DayOfWeek;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.automutex.MutexKey;
import dev.automutex.MutexTemplate;

/**
 * The key inputs of the bad-input battery, on {@code MutexTemplate}: keys that must be
 * refused with a clear error, keys with characters that mean something to Redis or to the
 * engines' key layouts that must lock correctly, and pairs that must (or must not) lock
 * the same thing.
 */
final class KeyInputs {

	/** One mebibyte of key text. */
	static final int LARGE = 1 << 20;

	private KeyInputs() {
	}

	static void run(BadInputBattery battery) {
		MutexTemplate mutex = battery.first();
		battery.error("null key", IllegalArgumentException.class, () -> mutex.lock((Object) null), "null");
		battery.error("null in lockAll", IllegalArgumentException.class, () -> mutex.lockAll(Arrays.asList("k", null)),
				"null");
		battery.error("empty lockAll", IllegalArgumentException.class, () -> mutex.lockAll(List.of()), "empty");
		battery.error("empty key", IllegalArgumentException.class, () -> mutex.lock(""), "empty");
		battery.error("empty MutexKey", IllegalArgumentException.class, () -> mutex.lock(new MutexKey("")), "empty");
		battery.error("identity toString key", IllegalArgumentException.class, () -> mutex.lock(new Object()),
				"java.lang.Object");
		battery.error("same key twice in lockAll", IllegalArgumentException.class,
				() -> mutex.lockAll(List.of("k", "k")), "'k'", "more than once");
		battery.error("null isLocked", IllegalArgumentException.class, () -> mutex.isLocked(null), "null");
		for (String key : List.of(" ", "   ", "\t", "a:b", ":", "a{b", "a}b", "{a}", "}{", "{}", "a*", "*", "a?", "?",
				"[a-z]", "a\nb", "\r\n", "a\u0000b", "\u0000", "%", "%7B", "ключ", "日本語", "🔒", "e\u0301")) {
			battery.lock("key " + BadInputBattery.shorten(key), key);
		}
		battery.lockAll("lockAll of :, {, *, NUL keys", List.of("x:y", "x{y}", "x*", "x\u0000y"));
		pairs(battery);
		String large = "k".repeat(LARGE);
		battery.tally().note("1 MB key: " + battery.errorOrLock("1 MB key", large));
		String largeNonAscii = "ключ".repeat(LARGE / 8);
		battery.tally().note("1 MB non-ASCII key: " + battery.errorOrLock("1 MB non-ASCII key", largeNonAscii));
	}

	private static void pairs(BadInputBattery battery) {
		battery.pair("a\\0b vs a\\0c", "a\u0000b", "a\u0000c", false);
		battery.pair("a\\0b vs a", "a\u0000b", "a", false);
		battery.pair("a\\nb vs a\\nc", "a\nb", "a\nc", false);
		battery.pair("{ vs %7B", "{", "%7B", false);
		battery.pair("} vs %7D", "}", "%7D", false);
		battery.pair("a{b}c vs b", "a{b}c", "b", false);
		battery.pair("a* vs ab", "a*", "ab", false);
		battery.pair("a? vs ab", "a?", "ab", false);
		battery.pair("é (NFC) vs e + U+0301 (NFD)", "\u00e9", "e\u0301", false);
		battery.pair("123 vs \"123\"", 123, "123", true);
		battery.pair("123L vs \"123\"", 123L, "123", true);
		battery.pair("enum vs its name", DayOfWeek.MONDAY, "MONDAY", true);
		UUID uuid = UUID.randomUUID();
		battery.pair("UUID vs its text", uuid, uuid.toString(), true);
		battery.pair("MutexKey vs String", new MutexKey("x"), "x", true);
		battery.pair("Room(7) vs \"Room:7\"", new Room("7"), "Room:7", true);
		Set<String> ba = new LinkedHashSet<>(List.of("b", "a"));
		battery.pair("set {a, b} vs set {b, a}", Set.of("a", "b"), ba, true);
		battery.pair("set {\"a, b\"} vs set {a, b}", Set.of("a, b"), Set.of("a", "b"), false);
	}

	/**
	 * A key object with an id.
	 *
	 * @param id the id
	 */
	record Room(String id) {

	}

}
