/**
 * The port the image's nginx listens on (docker/nginx.conf, and the Dockerfile's EXPOSE and HEALTHCHECK). The task
 * definition, the target group and the security group take it from here; it is not configurable, because a port the
 * image does not listen on would pass synth and then fail every health check. A test keeps the image and this equal.
 */
export const IMAGE_PORT = 8080;

/**
 * The user the image runs as (the Dockerfile's USER). The task definition names it too, so a hook enforcing
 * AWS Control Tower's CT.ECS.PR.3 sees a non-root user; a test keeps the image and this equal.
 */
export const IMAGE_USER = 'nginx';
