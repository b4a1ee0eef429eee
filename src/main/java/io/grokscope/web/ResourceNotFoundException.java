package io.grokscope.web;

/** A resource named by the request does not exist; answered once, centrally, as 404 problem+json. */
public class ResourceNotFoundException extends RuntimeException {

    public ResourceNotFoundException(String resource, Object id) {
        super(resource + " " + id + " does not exist");
    }
}
