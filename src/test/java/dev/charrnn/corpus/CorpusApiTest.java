package dev.charrnn.corpus;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;

import dev.charrnn.ApiSlice;

@ApiSlice(CorpusController.class)
@Import({CorpusStore.class, CorpusApiTest.NoJobs.class})
class CorpusApiTest {

    @Autowired
    MockMvc mvc;

    @Test
    void uploadsPlainTextCountingCodePoints() throws Exception {
        String text = "Привет, мир! 😀 中文 " + UUID.randomUUID();
        mvc.perform(post("/api/corpora").param("name", "mixed").contentType("text/plain;charset=UTF-8")
                        .content(text.getBytes(StandardCharsets.UTF_8)))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", containsString("/api/corpora/")))
                .andExpect(jsonPath("$.name").value("mixed"))
                .andExpect(jsonPath("$.chars").value(text.codePointCount(0, text.length())))
                .andExpect(jsonPath("$.vocabularySize").value((int) text.codePoints().distinct().count()))
                .andExpect(jsonPath("$.sha256").value(org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}")));
    }

    @Test
    void theSameBytesAsFileOrBodyGiveTheSameCorpus() throws Exception {
        byte[] bytes = ("same content " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String fromFile = mvc.perform(multipart("/api/corpora").file(new MockMultipartFile("file", "a.txt", "text/plain", bytes)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("a.txt"))
                .andReturn().getResponse().getContentAsString();
        String id = com.jayway.jsonpath.JsonPath.read(fromFile, "$.id");

        mvc.perform(post("/api/corpora?name=again").contentType(MediaType.TEXT_PLAIN).content(bytes))
                .andExpect(status().isOk())
                .andExpect(header().string("Location", "/api/corpora/" + id))
                .andExpect(jsonPath("$.id").value(id))
                .andExpect(jsonPath("$.name").value("a.txt"));
        mvc.perform(get("/api/corpora")).andExpect(jsonPath("$[*].id", hasItem(id)));
        mvc.perform(get("/api/corpora/" + id)).andExpect(status().isOk()).andExpect(jsonPath("$.id").value(id));
        mvc.perform(delete("/api/corpora/" + id)).andExpect(status().isNoContent());
        mvc.perform(get("/api/corpora/" + id)).andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString("GET /api/corpora")));
    }

    @Test
    void rejectsInvalidUtf8NamingTheOffset() throws Exception {
        byte[] latin1 = "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);
        expectProblem(post("/api/corpora").contentType(MediaType.TEXT_PLAIN).content(latin1), 400, "byte offset 3");
    }

    @Test
    void rejectsAnEmptyCorpus() throws Exception {
        expectProblem(post("/api/corpora").contentType(MediaType.TEXT_PLAIN).content(new byte[0]), 400, "empty: no bytes arrived. Send a UTF-8 text");
        expectProblem(multipart("/api/corpora").file(new MockMultipartFile("file", "e.txt", "text/plain", new byte[0])),
                400, "empty");
    }

    @Test
    void rejectsBinaryContent() throws Exception {
        byte[] binary = {0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x41};
        expectProblem(multipart("/api/corpora").file(new MockMultipartFile("file", "x.zip", "application/zip", binary)),
                400, "binary");
    }

    @Test
    void rejectsABodyOverTheSizeLimit() throws Exception {
        byte[] big = "a".repeat(64 * 1024 + 1).getBytes(StandardCharsets.UTF_8);
        expectProblem(post("/api/corpora").contentType(MediaType.TEXT_PLAIN).content(big), 413, "65536");
    }

    @Test
    void rejectsOtherCharsetsAndContentTypes() throws Exception {
        expectProblem(post("/api/corpora").contentType("text/plain;charset=ISO-8859-1").content("abc"), 415, "UTF-8");
        expectProblem(post("/api/corpora").contentType(MediaType.APPLICATION_JSON).content("{\"text\":\"abc\"}"), 415, "");
    }

    @Test
    void multipartWithoutAFilePartIsA400() throws Exception {
        expectProblem(multipart("/api/corpora").param("name", "x"), 400, "file");
    }

    @Test
    void unknownIdsAreA404() throws Exception {
        expectProblem(get("/api/corpora/does-not-exist"), 404, "does-not-exist");
        expectProblem(delete("/api/corpora/does-not-exist"), 404, "does-not-exist");
    }

    private void expectProblem(org.springframework.test.web.servlet.RequestBuilder request, int status, String detail)
            throws Exception {
        mvc.perform(request)
                .andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(status))
                .andExpect(jsonPath("$.detail", containsString(detail)));
    }

    /** No training in this slice: no job reads a corpus (deleting one in use is tested over HTTP). */
    @TestConfiguration
    static class NoJobs {
        @Bean
        CorpusReaders noJobs() {
            return corpusId -> false;
        }
    }
}
