package dev.charrnn;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class CharRnnApplication {

    public static void main(String[] args) {
        SpringApplication.run(CharRnnApplication.class, args);
    }
}
