/* langjson_test.c - the Language API's JSON: every response shape of the
 * spec examples (tests/fixtures/language), and the lenient cases the
 * reference asks for (offsets, 7-digit fractions, nulls, unknown fields,
 * assignedResources as object or array), plus timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "langjson.h"
#include "t.h"
#include "timeutil.h"

/* The example's 200 body (or the whole file's JSON when not an example). */
static cJSON *
example(const char *name)
{
	char path[256];
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *fp;
	cJSON *j, *body;

	snprintf(path, sizeof(path), "tests/fixtures/language/%s", name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	j = cJSON_Parse(buf_str(&b));
	buf_release(&b);
	body = cJSON_DetachItemViaPointer(j,
	    cJSON_GetObjectItem(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "responses"), "200"),
	        "body"));
	cJSON_Delete(j);
	return body;
}

static void
test_timestamps_in_every_form(void)
{
	long long t = 0;

	T_OK(timeutil_parse("2022-04-18T13:53:03Z", &t) == 0);
	T_EQ_INT(t, 1650289983);
	T_OK(timeutil_parse("2022-04-18T13:53:03.4334381Z", &t) == 0);
	T_EQ_INT(t, 1650289983);
	T_OK(timeutil_parse("2022-04-18T13:53:03+00:00", &t) == 0);
	T_EQ_INT(t, 1650289983);
	T_OK(timeutil_parse("2022-04-18T15:53:03.12+02:00", &t) == 0);
	T_EQ_INT(t, 1650289983);
	T_OK(timeutil_parse("2022-04-18T08:53:03-0500", &t) == 0);
	T_EQ_INT(t, 1650289983);
	T_OK(timeutil_parse("2023-10-28", &t) == 0);
	T_EQ_INT(t, 1698451200);
	T_OK(timeutil_parse("2024-02-29", &t) == 0);
}

static void
test_bad_timestamps_are_refused(void)
{
	long long t = 42;

	T_OK(timeutil_parse("2022-04-18T13:53:03", &t) != 0); /* no zone */
	T_OK(timeutil_parse("2023-02-29", &t) != 0);
	T_OK(timeutil_parse("2022-13-01", &t) != 0);
	T_OK(timeutil_parse("2022-04-18T25:00:00Z", &t) != 0);
	T_OK(timeutil_parse("2022-04-18Tjunk", &t) != 0);
	T_OK(timeutil_parse("2022-04-18T13:53:03Zextra", &t) != 0);
	T_OK(timeutil_parse("", &t) != 0);
	T_EQ_INT(t, 42);
}

static void
test_conversation_project_example(void)
{
	cJSON *j = example("conv-2023-04-01-SuccessfulGetProject.json");
	struct language_project p;
	struct err err = { 0 };

	T_OK(j != NULL);
	T_OK(langjson_project(j, "project", &p, &err) == 0);
	T_EQ_STR(p.name, "myproject");
	T_EQ_STR(p.kind, "Conversation");
	T_EQ_STR(p.language, "en");
	T_EQ_STR(p.description, "This is a sample conversation project.");
	T_EQ_INT(p.multilingual, 0);
	T_EQ_STR(p.storage_container, NULL);
	T_EQ_STR(p.last_modified, "2022-04-18T13:53:03Z");
	T_EQ_INT(p.last_modified_at, 1650289983);
	T_EQ_INT(p.last_deployed_at, 1650293341);
	T_OK(p.confidence_threshold < 0);
	language_project_release(&p);
	cJSON_Delete(j);
}

static void
test_text_project_example_has_container(void)
{
	cJSON *j = example("text-2023-04-01-SuccessfulGetProject.json");
	struct language_project p;
	struct err err = { 0 };

	T_OK(langjson_project(j, "project", &p, &err) == 0);
	T_EQ_STR(p.kind, "CustomEntityRecognition");
	T_EQ_STR(p.storage_container, "loanagreements");
	T_EQ_STR(p.name, "LoanAgreements");
	language_project_release(&p);
	cJSON_Delete(j);
}

static void
test_list_pages_accumulate(void)
{
	cJSON *c = example("conv-2023-04-01-SuccessfulListProjects.json");
	cJSON *t = example("text-2023-04-01-SuccessfulListProjects.json");
	struct language_projects l = { 0 };
	struct err err = { 0 };
	char *next = (char *)"x";

	T_OK(langjson_projects_page(c, &l, &next, &err) == 0);
	T_EQ_STR(next, NULL); /* "nextLink": null */
	T_OK(langjson_projects_page(t, &l, &next, &err) == 0);
	T_EQ_INT(l.n, 4);
	T_EQ_STR(l.v[0].name, "myproject1");
	T_EQ_STR(l.v[3].name, "MoviesSummary");
	T_EQ_STR(l.v[3].last_trained, NULL);
	T_EQ_INT(l.v[3].last_trained_at, 0);
	language_projects_release(&l);
	cJSON_Delete(c);
	cJSON_Delete(t);
}

static void
test_next_link_is_returned(void)
{
	cJSON *j = cJSON_Parse("{\"value\":[],\"nextLink\":"
	                       "\"https://h/language/p?skip=2\",\"extra\":1}");
	struct language_projects l = { 0 };
	struct err err = { 0 };
	char *next = NULL;

	T_OK(langjson_projects_page(j, &l, &next, &err) == 0);
	T_EQ_STR(next, "https://h/language/p?skip=2");
	T_EQ_INT(l.n, 0);
	free(next);
	language_projects_release(&l);
	cJSON_Delete(j);
}

static void
test_bad_item_names_its_path_and_keeps_list(void)
{
	cJSON *j = cJSON_Parse(
	    "{\"value\":[{\"projectName\":\"a\",\"projectKind\":"
	    "\"Conversation\"},"
	    "{\"projectName\":\"b\",\"projectKind\":\"Conversation\","
	    "\"lastModifiedDateTime\":\"yesterday\"}]}");
	struct language_projects l = { 0 };
	struct err err = { 0 };
	char *next = NULL;

	T_OK(langjson_projects_page(j, &l, &next, &err) != 0);
	T_CONTAINS(err.msg, "value[1].lastModifiedDateTime");
	T_EQ_INT(l.n, 0);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"value\":[{\"projectKind\":\"Conversation\"}]}");
	T_OK(langjson_projects_page(j, &l, &next, &err) != 0);
	T_CONTAINS(err.msg, "value[0].projectName: missing");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"nextLink\":null}");
	T_OK(langjson_projects_page(j, &l, &next, &err) != 0);
	T_CONTAINS(err.msg, "value: missing");
	cJSON_Delete(j);
	language_projects_release(&l);
}

static void
test_lenient_project_fields(void)
{
	cJSON *j =
	    cJSON_Parse("{\"projectName\":\"p\",\"projectKind\":"
	                "\"Orchestration\",\"description\":null,"
	                "\"lastModifiedDateTime\":\"2022-04-18T13:53:03."
	                "1234567+00:00\",\"settings\":{"
	                "\"confidenceThreshold\":0.7},\"newField\":[1]}");
	struct language_project p;
	struct err err = { 0 };

	T_OK(langjson_project(j, "project", &p, &err) == 0);
	T_EQ_STR(p.description, NULL);
	T_EQ_INT(p.last_modified_at, 1650289983);
	T_OK(p.confidence_threshold > 0.69 && p.confidence_threshold < 0.71);
	language_project_release(&p);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"projectName\":7,\"projectKind\":\"x\"}");
	T_OK(langjson_project(j, "project", &p, &err) != 0);
	T_CONTAINS(err.msg, "project.projectName: expected a string");
	cJSON_Delete(j);
}

static void
test_model_example(void)
{
	cJSON *j = example("text-2023-04-01-SuccessfulGetModel.json");
	struct language_model m;
	struct err err = { 0 };

	T_OK(langjson_model(j, "model", &m, &err) == 0);
	T_EQ_STR(m.label, "model1");
	T_EQ_STR(m.model_id,
	    "model1-20220418T034749-299f45b8114849538c1a750b21b05a94");
	T_EQ_INT(m.duration_s, 186);
	T_EQ_STR(m.expiration_date, "2022-10-28");
	T_EQ_INT(m.expiration_at, 1666915200);
	T_EQ_STR(m.training_config_version, "2022-05-15-preview");
	T_EQ_INT(m.has_snapshot, 1);
	T_EQ_INT(m.last_trained_at, 1650296869);
	language_model_release(&m);
	cJSON_Delete(j);
}

static void
test_deployment_examples(void)
{
	cJSON *j = example("text-2023-04-01-SuccessfulGetDeployment.json");
	cJSON *k = example("conv-2025-11-01-SuccessfulGetDeployment.json");
	struct language_deployment d;
	struct err err = { 0 };

	T_OK(langjson_deployment(j, "deployment", &d, &err) == 0);
	T_EQ_STR(d.name, "staging");
	T_EQ_STR(d.last_trained, "2022-04-18T15:47:49.4334381Z");
	T_EQ_INT(d.last_trained_at, 1650296869);
	T_EQ_STR(d.expiration_date, "2023-10-28");
	T_EQ_INT(d.n_assigned, 0);
	language_deployment_release(&d);
	T_OK(langjson_deployment(k, "deployment", &d, &err) == 0);
	T_EQ_STR(d.training_config_version, "2022-05-15-preview");
	language_deployment_release(&d);
	cJSON_Delete(j);
	cJSON_Delete(k);
}

static void
test_assigned_resources_object_or_array(void)
{
	cJSON *o = cJSON_Parse(
	    "{\"deploymentName\":\"d\",\"assignedResources\":{"
	    "\"azureResourceId\":\"/sub/a\",\"region\":\"westus\"}}");
	cJSON *a = cJSON_Parse(
	    "{\"deploymentName\":\"d\",\"assignedResources\":[{"
	    "\"resourceId\":\"/sub/a\"},{\"azureResourceId\":\"/sub/b\"}]}");
	struct language_deployment d;
	struct err err = { 0 };

	T_OK(langjson_deployment(o, "deployment", &d, &err) == 0);
	T_EQ_INT(d.n_assigned, 1);
	T_EQ_STR(d.assigned_ids[0], "/sub/a");
	language_deployment_release(&d);
	T_OK(langjson_deployment(a, "deployment", &d, &err) == 0);
	T_EQ_INT(d.n_assigned, 2);
	T_EQ_STR(d.assigned_ids[1], "/sub/b");
	language_deployment_release(&d);
	cJSON_Delete(o);
	cJSON_Delete(a);
}

static void
test_job_examples(void)
{
	static const char *const ok[] = {
		"conv-2023-04-01-SuccessfulGetDeploymentStatus.json",
		"text-2023-04-01-SuccessfulGetDeploymentStatus.json",
		"text-2023-04-01-SuccessfulGetImportStatus.json",
	};
	struct language_job job;
	struct err err = { 0 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cJSON *j = example(ok[i]);

		T_OK(langjson_job(j, &job, &err) == 0);
		T_EQ_INT(job.status, LANGUAGE_JOB_SUCCEEDED);
		T_OK(job.job_id != NULL);
		T_EQ_INT(job.has_training, 0);
		language_job_release(&job);
		cJSON_Delete(j);
	}
}

static void
test_export_job_has_result_url(void)
{
	cJSON *j = example("conv-2023-04-01-SuccessfulGetExportStatus.json");
	struct language_job job;
	struct err err = { 0 };

	T_OK(langjson_job(j, &job, &err) == 0);
	T_CONTAINS(job.result_url,
	    "/export/jobs/c4946bfa-4fbf-493b-bfcf-"
	    "2d232eb9de69_637858368000000000/result");
	T_EQ_STR(job.expiration, "2022-04-25T15:23:07Z");
	language_job_release(&job);
	cJSON_Delete(j);
}

static void
test_training_job_progress(void)
{
	cJSON *j = example("conv-2023-04-01-SuccessfulGetTrainStatus.json");
	cJSON *t = example("text-2023-04-01-SuccessfulGetTrainStatus.json");
	struct language_job job;
	struct err err = { 0 };

	T_OK(langjson_job(j, &job, &err) == 0);
	T_EQ_INT(job.status, LANGUAGE_JOB_RUNNING);
	T_EQ_INT(job.has_training, 1);
	T_EQ_STR(job.model_label, "model1");
	T_EQ_STR(job.training_config_version, "2022-05-01");
	T_EQ_STR(job.training_mode, "standard");
	T_EQ_INT(job.train_percent, 3);
	T_EQ_INT(job.train_status, LANGUAGE_JOB_RUNNING);
	T_EQ_INT(job.eval_percent, 0);
	T_EQ_INT(job.eval_status, LANGUAGE_JOB_NOT_STARTED);
	language_job_release(&job);
	T_OK(langjson_job(t, &job, &err) == 0);
	T_EQ_STR(job.training_mode, NULL);
	T_EQ_INT(job.train_percent, 3);
	language_job_release(&job);
	cJSON_Delete(j);
	cJSON_Delete(t);
}

static void
test_failed_job_errors_and_unknown_status(void)
{
	cJSON *j = cJSON_Parse(
	    "{\"jobId\":\"x\",\"status\":\"failed\",\"errors\":[{\"code\":"
	    "\"InvalidArgument\",\"message\":\"bad language\",\"details\":[]}],"
	    "\"warnings\":[{\"code\":\"W\",\"message\":\"m\"}]}");
	cJSON *u = cJSON_Parse("{\"jobId\":\"x\",\"status\":\"pondering\"}");
	struct language_job job;
	struct err err = { 0 };

	T_OK(langjson_job(j, &job, &err) == 0);
	T_EQ_INT(job.status, LANGUAGE_JOB_FAILED);
	T_EQ_INT(job.n_errors, 1);
	T_EQ_STR(job.errors[0].code, "InvalidArgument");
	T_EQ_STR(job.errors[0].message, "bad language");
	T_EQ_INT(job.n_warnings, 1);
	language_job_release(&job);
	T_OK(langjson_job(u, &job, &err) == 0);
	T_EQ_INT(job.status, LANGUAGE_JOB_UNKNOWN);
	T_EQ_STR(job.status_str, "pondering");
	language_job_release(&job);
	cJSON_Delete(j);
	cJSON_Delete(u);
}

static void
test_every_status_name(void)
{
	static const char *const names[] = { "notStarted", "running",
		"succeeded", "failed", "cancelled", "cancelling",
		"partiallyCompleted" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum language_job_status s = langjson_status(names[i]);

		T_OK(s != LANGUAGE_JOB_UNKNOWN);
		T_EQ_STR(language_job_status_name(s), names[i]);
	}
	/* The runtime APIs' word is not an authoring status. */
	T_EQ_INT(langjson_status("partiallySucceeded"), LANGUAGE_JOB_UNKNOWN);
	T_EQ_INT(langjson_status("Succeeded"), LANGUAGE_JOB_UNKNOWN);
}

static void
test_training_config_versions_page(void)
{
	cJSON *j = cJSON_Parse("{\"value\":[{\"trainingConfigVersion\":"
	                       "\"2022-09-01\",\"modelExpirationDate\":"
	                       "\"2025-04-15\"},{\"trainingConfigVersion\":"
	                       "\"2022-05-01\"}],\"nextLink\":null}");
	struct language_tcvs l = { 0 };
	struct err err = { 0 };
	char *next = NULL;

	T_OK(langjson_tcvs_page(j, &l, &next, &err) == 0);
	T_EQ_INT(l.n, 2);
	T_EQ_STR(l.v[0].version, "2022-09-01");
	T_EQ_INT(l.v[0].expiration_at, 1744675200);
	T_EQ_STR(l.v[1].expiration_date, NULL);
	language_tcvs_release(&l);
	cJSON_Delete(j);
}

static void
test_error_body(void)
{
	cJSON *j = cJSON_Parse("{\"error\":{\"code\":\"ProjectNotFound\","
	                       "\"message\":\"The project could not be "
	                       "found.\",\"innererror\":{\"code\":\"X\"}}}");
	const char *code, *msg;

	langjson_error(j, &code, &msg);
	T_EQ_STR(code, "ProjectNotFound");
	T_EQ_STR(msg, "The project could not be found.");
	cJSON_Delete(j);
	langjson_error(NULL, &code, &msg);
	T_EQ_STR(code, NULL);
}

/* The bodies we send match the examples' request bodies field for field. */
static void
test_train_bodies_match_examples(void)
{
	struct language_train_opts o = { .model_label = "model1",
		.evaluation_kind = "percentage",
		.training_split = 80,
		.testing_split = 20 };
	struct buf b = { 0 };
	struct err err = { 0 };
	cJSON *got, *want, *ex;

	T_OK(langjson_train_body(LANGUAGE_CONVERSATIONS, &o, &b, &err) == 0);
	got = cJSON_Parse(buf_str(&b));
	ex = example("conv-2023-04-01-SuccessfulTrainProject.json");
	T_OK(ex == NULL); /* a 202 example: no 200 body */
	{
		FILE *fp = fopen("tests/fixtures/language/"
		                 "conv-2023-04-01-SuccessfulTrainProject.json",
		    "r");
		char raw[4096];
		size_t n = fread(raw, 1, sizeof(raw) - 1, fp);
		cJSON *all;

		fclose(fp);
		raw[n] = '\0';
		all = cJSON_Parse(raw);
		want = cJSON_Duplicate(
		    cJSON_GetObjectItem(
		        cJSON_GetObjectItem(all, "parameters"), "body"),
		    1);
		cJSON_Delete(all);
	}
	T_OK(cJSON_Compare(got, want, 1));
	cJSON_Delete(got);
	cJSON_Delete(want);
	buf_reset(&b);
	T_OK(langjson_train_body(LANGUAGE_TEXT, &o, &b, &err) == 0);
	T_OK(strstr(buf_str(&b), "trainingMode") == NULL);
	T_CONTAINS(buf_str(&b), "\"trainingConfigVersion\":\"latest\"");
	buf_reset(&b);
	o.model_label = NULL;
	T_OK(langjson_train_body(LANGUAGE_TEXT, &o, &b, &err) != 0);
	buf_release(&b);
}

static void
test_deploy_body_escapes(void)
{
	struct buf b = { 0 };
	struct err err = { 0 };

	T_OK(langjson_deploy_body("v\"7", &b, &err) == 0);
	T_EQ_STR(buf_str(&b), "{\"trainedModelLabel\":\"v\\\"7\"}");
	buf_release(&b);
}

int
main(void)
{
	T_RUN(test_timestamps_in_every_form);
	T_RUN(test_bad_timestamps_are_refused);
	T_RUN(test_conversation_project_example);
	T_RUN(test_text_project_example_has_container);
	T_RUN(test_list_pages_accumulate);
	T_RUN(test_next_link_is_returned);
	T_RUN(test_bad_item_names_its_path_and_keeps_list);
	T_RUN(test_lenient_project_fields);
	T_RUN(test_model_example);
	T_RUN(test_deployment_examples);
	T_RUN(test_assigned_resources_object_or_array);
	T_RUN(test_job_examples);
	T_RUN(test_export_job_has_result_url);
	T_RUN(test_training_job_progress);
	T_RUN(test_failed_job_errors_and_unknown_status);
	T_RUN(test_every_status_name);
	T_RUN(test_training_config_versions_page);
	T_RUN(test_error_body);
	T_RUN(test_train_bodies_match_examples);
	T_RUN(test_deploy_body_escapes);
	return t_done();
}
