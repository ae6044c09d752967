# Runs WHO healthequal 1.0.1's own functions (R/*.R sourced from the
# package source, commit 3e7e0406; base R only, no simulation: se = NULL for
# the measures whose intervals are simulated) on the package's sample data
# sets and writes healthequal_reference_results.csv.
# Usage: Rscript healthequal_reference.R <path to healthequal/R>
args <- commandArgs(trailingOnly = TRUE)
for (f in c("d", "r", "bgv", "bgsd", "covar", "ti", "mld", "paf", "parisk", "mdbw",
            "mdmu", "mdmw", "mdrw", "idisu", "idisw")) {
  source(file.path(args[1], paste0(f, ".R")))
}
ord <- read.csv("OrderedSample.csv")
non <- read.csv("NonorderedSample.csv")
out <- list()
add <- function(data_set, variant, res) {
  if (is.null(res)) return(invisible())
  out[[length(out) + 1]] <<- data.frame(data_set = data_set, variant = variant, measure = res$measure,
                                        estimate = res$estimate, se = res$se,
                                        lowerci = res$lowerci, upperci = res$upperci)
}
# Measures whose non-simulated path fails in healthequal 1.0.1 (an unset
# interval variable) are skipped (NULL).
q <- function(x) tryCatch(suppressWarnings(suppressMessages(x)), error = function(e) NULL)
for (fav in c(1, 0)) {
  v <- paste0("favourable=", fav)
  add("ordered", v, q(d(est = ord$estimate, se = ord$se, favourable_indicator = rep(fav, 5),
                         ordered_dimension = ord$ordered_dimension, subgroup_order = ord$subgroup_order)))
  add("ordered", v, q(r(est = ord$estimate, se = ord$se, favourable_indicator = rep(fav, 5),
                         ordered_dimension = ord$ordered_dimension, subgroup_order = ord$subgroup_order)))
  add("ordered", v, q(paf(est = ord$estimate, pop = ord$population, favourable_indicator = rep(fav, 5),
                           ordered_dimension = ord$ordered_dimension, subgroup_order = ord$subgroup_order,
                           scaleval = ord$indicator_scale)))
  add("ordered", v, q(parisk(est = ord$estimate, pop = ord$population, favourable_indicator = rep(fav, 5),
                              ordered_dimension = ord$ordered_dimension, subgroup_order = ord$subgroup_order,
                              scaleval = ord$indicator_scale)))
  n <- nrow(non)
  fv <- rep(fav, n)
  for (useref in c(FALSE, TRUE)) {
    ref <- if (useref) non$reference_subgroup else NULL
    vr <- paste0(v, if (useref) ";reference" else "")
    add("nonordered", vr, q(d(est = non$estimate, se = non$se, favourable_indicator = fv,
                               ordered_dimension = non$ordered_dimension, reference_subgroup = ref)))
    add("nonordered", vr, q(r(est = non$estimate, se = non$se, favourable_indicator = fv,
                               ordered_dimension = non$ordered_dimension, reference_subgroup = ref)))
  }
  add("nonordered", v, q(paf(est = non$estimate, pop = non$population, favourable_indicator = fv,
                              ordered_dimension = non$ordered_dimension, scaleval = non$indicator_scale)))
  add("nonordered", v, q(parisk(est = non$estimate, pop = non$population, favourable_indicator = fv,
                                 ordered_dimension = non$ordered_dimension, scaleval = non$indicator_scale)))
  add("nonordered", v, q(mdbw(est = non$estimate, pop = non$population, favourable_indicator = fv)))
}
add("nonordered", "", q(bgv(est = non$estimate, se = non$se, pop = non$population)))
add("nonordered", "", q(ti(est = non$estimate, se = non$se, pop = non$population)))
add("nonordered", "", q(mld(est = non$estimate, se = non$se, pop = non$population)))
add("nonordered", "", q(bgsd(est = non$estimate, pop = non$population)))
add("nonordered", "", q(covar(est = non$estimate, pop = non$population)))
add("nonordered", "", q(mdmu(est = non$estimate, pop = non$population)))
add("nonordered", "", q(mdmw(est = non$estimate, pop = non$population)))
add("nonordered", "", q(idisu(est = non$estimate, pop = non$population)))
add("nonordered", "", q(idisw(est = non$estimate, pop = non$population)))
add("nonordered", "reference", q(mdrw(est = non$estimate, pop = non$population,
                                      reference_subgroup = non$reference_subgroup)))
res <- do.call(rbind, out)
write.csv(res, "healthequal_reference_results.csv", row.names = FALSE)
