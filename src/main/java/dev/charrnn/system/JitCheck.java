package dev.charrnn.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Warns, once the service is up, when the JVM it runs on cannot reach the service's speed, so a user
 * who starts it their own way finds out at once rather than from a slow job.
 */
@Component
class JitCheck {

    private static final Logger log = LoggerFactory.getLogger(JitCheck.class);

    @EventListener(ApplicationReadyEvent.class)
    void warnWhenSlow() {
        JitSettings jit = JitSettings.ofThisJvm();
        jit.problems().forEach(problem -> log.warn("This JVM will not reach full speed: {}", problem));
    }
}
