package dev.charrnn.model;

import java.util.regex.Pattern;

import dev.charrnn.system.ApiException;

/** Model names become directory names, so they are restricted to a safe alphabet. */
public final class ModelNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private ModelNames() {
    }

    public static String requireValid(String name) {
        if (name == null || !VALID.matcher(name).matches() || name.chars().allMatch(c -> c == '.')) {
            throw ApiException.badRequest("Invalid model name '" + printable(name) + "': use 1 to 64 characters from "
                    + "A-Z a-z 0-9 . _ - (not only dots), for example 'shakespeare-lstm'.");
        }
        return name;
    }

    private static String printable(String name) {
        if (name == null) {
            return "";
        }
        String shown = name.codePoints()
                .mapToObj(cp -> Character.isISOControl(cp) ? String.format("\\u%04x", cp) : Character.toString(cp))
                .reduce("", String::concat);
        return shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
    }
}
